"""GB/T 9704 formal documents: plain data in, .docx (and PDF / PNG) bytes out.

Nothing here knows about the database or the services; quorum.services.documents gathers the
record, renders the wording (quorum.documents.wording) and hands a Page to render_docx.
"""

from quorum.documents.layout import render_docx
from quorum.documents.page import Page

__all__ = ["Page", "render_docx"]
