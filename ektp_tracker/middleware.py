import re
import secrets

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from common.text import CONTROL_CHARACTER_RE, character_name, control_character

try:
    import brotli
except ImportError:  # whitenoise[brotli] installs it; without it pages are gzipped
    brotli = None

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
COMPRESSIBLE_TYPES = {
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
}
ACCEPTS_BROTLI_RE = re.compile(r"\bbr\b")


def printable(name: str, limit: int = 40) -> str:
    """A parameter name fit for a message: control characters written as U+XXXX, cut short."""
    shown = CONTROL_CHARACTER_RE.sub(lambda match: character_name(match[0]), name)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class DefaultLanguageMiddleware:
    """Bahasa Indonesia unless the user picked another language with the switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, and office PCs often run
    English-language browsers; the offices still expect the app in Indonesian.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class CraftedInputMiddleware:
    """Refuse an address, query string, header or form value carrying a control character.

    NUL cannot reach PostgreSQL at all (the driver raises, which was a 500 on any page that
    looked the value up), and no form, link or browser produces any of them: such a request is
    crafted or corrupted, and gets a 400 page naming the parameter. Form values are only
    checked for NUL here; other control characters in what users type are refused by the
    forms, next to the field. A cookie with one is dropped (treated as absent) rather than
    refused, since the browser would send it again on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if control_character(name) or control_character(value):
                del request.COOKIES[name]
        problem = self.problem(request)
        if problem:
            return render(request, "400.html", {"problem": problem}, status=400)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> str:
        if character := control_character(request.path_info):
            return gettext("Alamat halaman berisi karakter kontrol %(character)s.") % {
                "character": character
            }
        headers = (
            (name, value) for name, value in request.META.items() if name.startswith("HTTP_")
        )
        for name, value in headers:
            if name != "HTTP_COOKIE" and (character := control_character(str(value))):
                return gettext(
                    "Kepala permintaan %(name)s berisi karakter kontrol %(character)s."
                ) % {
                    "name": name.removeprefix("HTTP_").replace("_", "-").title(),
                    "character": character,
                }
        for name, values in request.GET.lists():
            for text in (name, *values):
                if character := control_character(text):
                    return gettext(
                        "Parameter “%(name)s” di alamat berisi karakter kontrol %(character)s."
                    ) % {"name": printable(name), "character": character}
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            try:
                posted = request.POST
            except Exception:  # a malformed body is Django's to refuse, in the view
                return ""
            for name, values in posted.lists():
                if any("\x00" in text for text in (name, *values)):
                    return gettext("Isian “%(name)s” berisi karakter NUL (U+0000).") % {
                        "name": printable(name)
                    }
        return ""


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response that depends on who is logged in.

    Pages and downloads of an office PC's user must not stay in its browser cache (or a shared
    proxy) for the next person. A response depends on the user exactly when the request read the
    session; one that sets its own Cache-Control (the health probe, the admin) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not response.has_header("Cache-Control"):
            response.headers["Cache-Control"] = "private, no-store"
        return response


class CompressionMiddleware(GZipMiddleware):
    """Brotli for pages when the browser takes it, gzip for other text, nothing for the rest.

    Offices sit on slow links: a province page is ~60 KB of HTML, ~11 KB gzipped and less with
    brotli (quality 5 costs about a millisecond). Both carry a BREACH mitigation: gzip adds up to
    100 random bytes in its header as Django's GZipMiddleware does ("Heal the BREACH"); brotli has
    no such header, so a page gets a comment of random length and content at its end instead.
    (CSRF tokens are also masked per response by Django.) Static files never come here:
    WhiteNoise, before this middleware, serves its own precompressed copies.
    """

    brotli_quality = 5

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSIBLE_TYPES and not content_type.startswith("text/"):
            return response
        if (
            brotli is not None
            and content_type == "text/html"
            and not response.streaming
            and len(response.content) >= 200
            and not response.has_header("Content-Encoding")
            and ACCEPTS_BROTLI_RE.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        ):
            patch_vary_headers(response, ("Accept-Encoding",))
            return self._brotli(response)
        return super().process_response(request, response)

    def _brotli(self, response):
        padding = secrets.token_urlsafe(secrets.randbelow(self.max_random_bytes) + 1)
        content = response.content + f"<!-- {padding} -->".encode()
        response.content = brotli.compress(
            content, quality=self.brotli_quality, mode=brotli.MODE_TEXT
        )
        response.headers["Content-Length"] = str(len(response.content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
