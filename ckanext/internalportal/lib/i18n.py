"""Translation markers shared by every plugin of the suite."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark an English msgid for extraction (``N_`` is one of Babel's default keywords, so
    ``make i18n`` finds it); it is translated with ``tk._`` where it is shown, so that a web or
    API request gets it in its language. Pure: modules that must not import CKAN use it too."""
    return message


# the language of vocabulary labels when neither the request nor the ini names one
DEFAULT_LANGUAGE = "fr"


def current_language() -> str:
    """The request's language; the site's default (French) outside a request (CLI, a job,
    indexing). CKAN is imported here only, so the module stays importable without it."""
    import ckan.plugins.toolkit as tk

    try:
        lang = tk.h.lang()
    except (RuntimeError, TypeError, AttributeError):  # no request
        lang = None
    return lang or tk.config.get("ckan.locale_default") or DEFAULT_LANGUAGE
