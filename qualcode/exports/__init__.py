"""Exports for report writers and reviewers: quote banks (DOCX, XLSX, CSV, Markdown) and the self-contained HTML
report. All of them attribute quotes anonymously and pseudonymise names unless the user asks for names.
"""
