"""PLACEHOLDER — replaced by the JSON API (issue 3)."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")
