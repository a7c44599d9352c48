"""The advisory ledger: who contributed what to each draft, verified, rated and with outcomes."""
