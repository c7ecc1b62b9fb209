"""Keeping the work safe and confidential: backups, the project doctor, pseudonymisation (privacy) and redacted
copies of transcripts."""
