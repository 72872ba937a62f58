"""Python binding of libdlverify (dlverify.h): verify DL1 driving-licence codes and DL2 holder
presentations fully offline, from text or from the bytes of a PNG or JPEG photo.

The library is found through the environment variable DLVERIFY_LIBRARY (a path), else through
the system's loader (libdlverify.so.1, as scripts/build-library and the libdlverify1 package
install it, then libdlverify.so).

    from dlverify import Verifier
    with Verifier(trust="trust", status=["statuslist-1.cwt"]) as verifier:
        result = verifier.verify_text(code, category="C1")
        print(result.verdict.name, result.reason)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Iterable, Optional

__all__ = ["Verifier", "Result", "Category", "Verdict", "Status", "DLVerifyError", "library_version", "ABI_VERSION"]

ABI_VERSION = 1
_NOW = -(2 ** 63)  # DLV_NOW


class Status(enum.IntEnum):
    """dlv_status: what a call returned."""
    OK = 0
    ARGUMENT = 1
    IO = 2
    TRUST = 3
    BUNDLE = 4
    IMAGE = 5
    STATE = 6


class Verdict(enum.IntEnum):
    """dlv_verdict: the answer for one code (FORMAT section 5 and 7)."""
    VALID = 0
    MALFORMED = 1
    UNKNOWN_SIGNER = 2
    BAD_SIGNATURE = 3
    UNTRUSTED_SIGNER = 4
    NOT_YET_VALID = 5
    EXPIRED_CODE = 6
    LICENCE_EXPIRED = 7
    REVOKED = 8
    SUSPENDED = 9
    SUPERSEDED = 10
    STATUS_UNKNOWN = 11
    CATEGORY_NOT_HELD = 12
    PORTRAIT_MISMATCH = 13
    HOLDER_MISMATCH = 14
    STALE_PRESENTATION = 15
    UNBOUND_PRESENTATION = 16

    @classmethod
    def _missing_(cls, value):
        # A verdict a newer library added (dlverify(3): new numbers may come within 1.x): an
        # int-valued pseudo-member, never VALID.
        if isinstance(value, int):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None


_FIELDS = ["verdict", "reason", "reason_en", "check", "layer", "condition", "document_number", "family_name",
           "given_name", "birth_date", "issue_date", "expiry_date", "issuing_country", "issuing_authority",
           "portrait_sha256", "points_cycle_end", "issuer", "code_issued_at", "code_expires_at", "credential_id",
           "signer_kid", "signer_subject", "status_uri", "status_value", "status_list_issued_at", "verified_at",
           "presented_at", "presentation_age", "holder_key_thumbprint"]


class DLVerifyError(Exception):
    """A failed call: `status` (Status) and the library's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = Status(status) if status in Status._value2member_map_ else status
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} (code {int(self.status)})"


class _Request(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("category", ctypes.c_char_p), ("portrait", ctypes.c_void_p),
                ("portrait_length", ctypes.c_size_t), ("at", ctypes.c_int64)]


def _load() -> ctypes.CDLL:
    path = os.environ.get("DLVERIFY_LIBRARY")
    candidates = [path] if path else ["libdlverify.so.1", ctypes.util.find_library("dlverify"), "libdlverify.so"]
    errors = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError as error:
            errors.append(f"{candidate}: {error}")
    raise ImportError("cannot load libdlverify (set DLVERIFY_LIBRARY to its path): " + "; ".join(errors))


_lib = _load()
_p = ctypes.c_void_p
_err = ctypes.POINTER(ctypes.c_void_p)
for name, restype, argtypes in [
    ("dlv_version", ctypes.c_char_p, []), ("dlv_abi_version", ctypes.c_int, []),
    ("dlv_error_code", ctypes.c_int, [_p]), ("dlv_error_message", ctypes.c_char_p, [_p]), ("dlv_error_free", None, [_p]),
    ("dlv_builder_new", _p, []), ("dlv_builder_free", None, [_p]),
    ("dlv_builder_set_trust_folder", ctypes.c_int, [_p, ctypes.c_char_p, _err]),
    ("dlv_builder_add_bundle_file", ctypes.c_int, [_p, ctypes.c_char_p, _err]),
    ("dlv_builder_add_bundle", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_size_t, _err]),
    ("dlv_builder_add_status_file", ctypes.c_int, [_p, ctypes.c_char_p, _err]),
    ("dlv_builder_add_status", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_size_t, _err]),
    ("dlv_builder_set_leeway", ctypes.c_int, [_p, ctypes.c_int64, _err]),
    ("dlv_builder_set_allow_unknown_status", None, [_p, ctypes.c_int]),
    ("dlv_builder_set_holder_window", ctypes.c_int, [_p, ctypes.c_int64, _err]),
    ("dlv_builder_set_require_holder_binding", None, [_p, ctypes.c_int]),
    ("dlv_builder_set_language", ctypes.c_int, [_p, ctypes.c_char_p, _err]),
    ("dlv_builder_warning_count", ctypes.c_size_t, [_p]), ("dlv_builder_warning", ctypes.c_char_p, [_p, ctypes.c_size_t]),
    ("dlv_builder_build", ctypes.c_int, [_p, ctypes.POINTER(_p), _err]),
    ("dlv_verifier_free", None, [_p]), ("dlv_verifier_status_token_count", ctypes.c_size_t, [_p]),
    ("dlv_verify_text", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.POINTER(_Request), ctypes.POINTER(_p), _err]),
    ("dlv_verify_image", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_Request), ctypes.POINTER(_p), _err]),
    ("dlv_results_count", ctypes.c_size_t, [_p]), ("dlv_results_get", _p, [_p, ctypes.c_size_t]), ("dlv_results_free", None, [_p]),
    ("dlv_result_verdict", ctypes.c_int, [_p]), ("dlv_result_field", ctypes.c_char_p, [_p, ctypes.c_int]),
    ("dlv_result_points", ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64)]),
    ("dlv_result_category_count", ctypes.c_size_t, [_p]),
    ("dlv_result_category", ctypes.c_char_p, [_p, ctypes.c_size_t, ctypes.c_int]),
    ("dlv_result_json", ctypes.c_char_p, [_p]),
]:
    function = getattr(_lib, name)
    function.restype = restype
    function.argtypes = argtypes

if _lib.dlv_abi_version() != ABI_VERSION:
    raise ImportError(f"libdlverify has interface {_lib.dlv_abi_version()}, this binding needs {ABI_VERSION}")


def library_version() -> str:
    """The loaded library's release, e.g. "1.1.0"."""
    return _lib.dlv_version().decode()


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8", "replace")


_INT64 = range(-(2 ** 63) + 1, 2 ** 63)  # DLV_NOW (-2**63) is only ever passed for None


def _int64(value, what: str, allowed: range = _INT64) -> int:
    value = int(value)
    if value not in allowed:
        raise ValueError(f"{what} {value} is out of range")
    return value


def _c_text(value: str, what: str) -> bytes:
    """UTF-8 for a C string; text holding a NUL character would be cut short there, so it is refused."""
    if "\0" in value:
        raise ValueError(f"{what} holds a NUL character")
    return value.encode()


def _c_path(value, what: str) -> bytes:
    path = os.fsencode(value)
    if b"\0" in path:
        raise ValueError(f"{what} holds a NUL character")
    return path


def _check(status: int, error: ctypes.c_void_p) -> None:
    if status == Status.OK:
        return
    message = _text(_lib.dlv_error_message(error)) if error else "unknown error"
    code = _lib.dlv_error_code(error) if error else status
    _lib.dlv_error_free(error)
    raise DLVerifyError(code, message or "")


@dataclass(frozen=True)
class Category:
    """One vehicle category of a licence."""
    code: str
    issue_date: str
    expiry_date: Optional[str]
    restrictions: Optional[str]


@dataclass(frozen=True)
class Result:
    """One code's verdict and what it says. Text is the code's content as is: escape control
    characters before showing it."""
    verdict: Verdict
    reason: str
    reason_en: str
    fields: dict
    categories: list = field(default_factory=list)
    points: Optional[tuple] = None
    json: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.verdict == Verdict.VALID

    def __getattr__(self, name: str):
        if name in _FIELDS:
            return self.fields.get(name)
        raise AttributeError(name)


def _result(pointer) -> Result:
    if not pointer:
        raise DLVerifyError(Status.STATE, "the library returned no result")
    fields = {name: _text(_lib.dlv_result_field(pointer, index)) for index, name in enumerate(_FIELDS)}
    categories = [Category(*(_text(_lib.dlv_result_category(pointer, i, f)) for f in range(4)))
                  for i in range(_lib.dlv_result_category_count(pointer))]
    remaining, maximum = ctypes.c_uint64(), ctypes.c_uint64()
    points = (remaining.value, maximum.value) if _lib.dlv_result_points(pointer, ctypes.byref(remaining), ctypes.byref(maximum)) else None
    raw = _lib.dlv_result_json(pointer)
    return Result(verdict=Verdict(_lib.dlv_result_verdict(pointer)), reason=fields["reason"], reason_en=fields["reason_en"],
                  fields=fields, categories=categories, points=points, json=json.loads(raw) if raw else {})


class Verifier:
    """A verifier over a trust folder, handheld bundles and Status List Tokens. Immutable once
    made: one may be shared by threads. Close it (or use `with`) to free it."""

    def __init__(self, trust: str, bundles: Iterable = (), status: Iterable = (), leeway: Optional[int] = None,
                 allow_unknown_status: bool = False, holder_window: Optional[int] = None,
                 require_holder_binding: bool = False, language: str = "en"):
        builder = _lib.dlv_builder_new()
        if not builder:
            raise MemoryError("dlv_builder_new failed")
        self._verifier = None
        self.warnings: list = []
        # Verifications in flight: close() waits for them (a verifier is shared by threads).
        self._state = threading.Condition()
        self._active = 0
        try:
            error = ctypes.c_void_p()
            _check(_lib.dlv_builder_set_trust_folder(builder, _c_path(trust, "trust"), ctypes.byref(error)), error)
            for bundle in bundles:
                if isinstance(bundle, (bytes, bytearray)):
                    _check(_lib.dlv_builder_add_bundle(builder, bytes(bundle), len(bundle), ctypes.byref(error)), error)
                else:
                    _check(_lib.dlv_builder_add_bundle_file(builder, _c_path(bundle, "bundle"), ctypes.byref(error)), error)
            for token in status:
                if isinstance(token, (bytes, bytearray)):
                    _check(_lib.dlv_builder_add_status(builder, bytes(token), len(token), ctypes.byref(error)), error)
                else:
                    _check(_lib.dlv_builder_add_status_file(builder, _c_path(token, "status file"), ctypes.byref(error)), error)
            if leeway is not None:
                _check(_lib.dlv_builder_set_leeway(builder, _int64(leeway, "leeway"), ctypes.byref(error)), error)
            if holder_window is not None:
                _check(_lib.dlv_builder_set_holder_window(builder, _int64(holder_window, "holder_window"), ctypes.byref(error)), error)
            _lib.dlv_builder_set_allow_unknown_status(builder, 1 if allow_unknown_status else 0)
            _lib.dlv_builder_set_require_holder_binding(builder, 1 if require_holder_binding else 0)
            _check(_lib.dlv_builder_set_language(builder, _c_text(language, "language"), ctypes.byref(error)), error)
            verifier = ctypes.c_void_p()
            _check(_lib.dlv_builder_build(builder, ctypes.byref(verifier), ctypes.byref(error)), error)
            self._verifier = verifier
            self.warnings = [_text(_lib.dlv_builder_warning(builder, i)) for i in range(_lib.dlv_builder_warning_count(builder))]
        finally:
            _lib.dlv_builder_free(builder)

    @property
    def status_token_count(self) -> int:
        return self._use(_lib.dlv_verifier_status_token_count)

    def _live(self):
        if not self._verifier:
            raise DLVerifyError(Status.STATE, "the verifier is closed")
        return self._verifier

    def _use(self, body):
        """Runs body(verifier pointer) while the verifier cannot be freed."""
        with self._state:
            verifier = self._live()
            self._active += 1
        try:
            return body(verifier)
        finally:
            with self._state:
                self._active -= 1
                self._state.notify_all()

    @staticmethod
    def _request(category: Optional[str], portrait: Optional[bytes], at: Optional[int]) -> tuple:
        portrait_buffer = ctypes.create_string_buffer(portrait, len(portrait)) if portrait is not None else None
        request = _Request(ctypes.sizeof(_Request), _c_text(category, "category") if category is not None else None,
                           ctypes.cast(portrait_buffer, ctypes.c_void_p) if portrait_buffer is not None else None,
                           len(portrait) if portrait is not None else 0, _NOW if at is None else _int64(at, "at"))
        return request, portrait_buffer  # the buffer must outlive the call

    def _results(self, call) -> list:
        results, error = ctypes.c_void_p(), ctypes.c_void_p()
        _check(call(ctypes.byref(results), ctypes.byref(error)), error)
        try:
            return [_result(_lib.dlv_results_get(results, i)) for i in range(_lib.dlv_results_count(results))]
        finally:
            _lib.dlv_results_free(results)

    def verify_text(self, text: str, category: Optional[str] = None, portrait: Optional[bytes] = None,
                    at: Optional[int] = None) -> Result:
        """Verifies a code's text (DL1:… or DL2:…) at `at` (seconds since the epoch; default now)."""
        request, _buffer = self._request(category, portrait, at)
        code = _c_text(text, "text")
        return self._use(lambda verifier: self._results(
            lambda r, e: _lib.dlv_verify_text(verifier, code, ctypes.byref(request), r, e))[0])

    def verify_image(self, image: bytes, category: Optional[str] = None, portrait: Optional[bytes] = None,
                     at: Optional[int] = None) -> list:
        """Verifies every QR code in a PNG or JPEG image's bytes: one Result per code (maybe none)."""
        request, _buffer = self._request(category, portrait, at)
        data = bytes(image)
        return self._use(lambda verifier: self._results(
            lambda r, e: _lib.dlv_verify_image(verifier, data, len(data), ctypes.byref(request), r, e)))

    def close(self) -> None:
        """Frees the verifier, after the verifications in flight have finished."""
        state = getattr(self, "_state", None)
        if state is None:
            return
        with state:
            while self._active:
                state.wait()
            if self._verifier:
                _lib.dlv_verifier_free(self._verifier)
                self._verifier = None

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
