"""Tests of who advised on a draft (the advisers panel) and of the historical XLSX import."""
