"""LIS: legislative information system. Build the app with `lis.app.create_app`."""
