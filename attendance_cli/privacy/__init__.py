"""UK GDPR duties: subject access (``access``), retention (``retention``) and erasure (``erase``).

The SQL is in ``store.privacy``; the PDF of a subject access report in ``privacy.pdf``.
"""
