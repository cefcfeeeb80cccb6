"""Email: the messages kpixl writes to service leads, and where they go (.eml drafts or SMTP)."""
