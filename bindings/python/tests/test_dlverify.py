"""The Python binding against the published test vectors and the C library's error paths.
Run from the repository root: DLVERIFY_LIBRARY=<path of libdlverify.so> python3 -m pytest bindings/python."""

import json
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import dlverify  # noqa: E402
from dlverify import DLVerifyError, Status, Verdict, Verifier  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[3]
VECTORS = REPO / "testvectors"
DOCUMENT = json.loads((VECTORS / "vectors.json").read_text(encoding="utf-8"))
AT = 1780315200  # the vectors' time, 2026-06-01T12:00:00Z


def verifier_for(vector):
    return Verifier(trust=str(VECTORS / "trust"), status=[str(VECTORS / s) for s in vector["status"]],
                    leeway=vector["leeway"], allow_unknown_status=vector["allow_unknown_status"],
                    holder_window=vector.get("holder_window"), require_holder_binding=vector.get("require_holder_binding", False))


def portrait_for(vector):
    expected = vector["portrait_sha256"]
    if expected is None:
        return None
    portrait = (VECTORS / "portrait.txt").read_bytes()
    import hashlib
    return portrait if hashlib.sha256(portrait).hexdigest() == expected else b"another holder's photo"


@pytest.mark.parametrize("vector", DOCUMENT["vectors"], ids=[v["name"] for v in DOCUMENT["vectors"]])
def test_vector(vector):
    with verifier_for(vector) as verifier:
        result = verifier.verify_text(vector["code"], category=vector["category"], portrait=portrait_for(vector), at=AT)
    expected = vector["expected"]
    assert result.verdict == Verdict[expected["verdict"]], result.reason
    assert result.check == expected["check"]
    assert result.layer == expected.get("layer")
    assert result.condition == expected.get("condition")
    assert result.json["verdict"] == expected["verdict"]
    assert result.valid == (expected["verdict"] == "VALID")


def test_typed_fields_of_a_valid_code_and_a_presentation():
    with Verifier(trust=str(VECTORS / "trust"), status=[str(VECTORS / "status/current.cwt")]) as verifier:
        dl1 = next(v for v in DOCUMENT["vectors"] if v["name"] == "valid")
        result = verifier.verify_text(dl1["code"], at=AT)
        assert result.verdict is Verdict.VALID
        assert result.family_name == "张" and result.issuing_country == "CN"
        assert [c.code for c in result.categories] == ["C1", "A2"]
        assert result.categories[1].expiry_date == "2028-03-01"
        assert result.points is not None and result.points[1] == 12
        assert result.presented_at is None
        dl2 = next(v for v in DOCUMENT["vectors"] if v["name"] == "dl2-valid")
        presented = verifier.verify_text(dl2["code"], at=AT)
        assert presented.verdict is Verdict.VALID
        assert presented.presented_at == "2026-06-01T11:59:50Z" and presented.presentation_age == "10"
        assert len(presented.holder_key_thumbprint) == 64
        assert presented.json["presentation"]["signed_by_bound_device"] is True


def test_images():
    with Verifier(trust=str(VECTORS / "trust"), status=[str(VECTORS / "status/current.cwt")], language="zh") as verifier:
        for name in ("images/valid.png", "images/dl2-valid.png"):
            results = verifier.verify_image((VECTORS / name).read_bytes(), at=AT)
            assert [r.verdict for r in results] == [Verdict.VALID]
            assert results[0].reason.startswith("驾驶证有效") and results[0].reason_en.startswith("The licence is valid")
        with pytest.raises(DLVerifyError) as error:
            verifier.verify_image(b"not an image", at=AT)
        assert error.value.status is Status.IMAGE


def test_errors_name_what_is_wrong():
    with pytest.raises(DLVerifyError) as missing:
        Verifier(trust="/nonexistent/trust")
    assert missing.value.status is Status.TRUST
    assert "/nonexistent/trust" in str(missing.value)
    with pytest.raises(DLVerifyError) as window:
        Verifier(trust=str(VECTORS / "trust"), holder_window=0)
    assert window.value.status is Status.ARGUMENT and "holder window" in window.value.message
    with pytest.raises(DLVerifyError) as language:
        Verifier(trust=str(VECTORS / "trust"), language="fr")
    assert language.value.status is Status.ARGUMENT
    verifier = Verifier(trust=str(VECTORS / "trust"))
    verifier.close()
    with pytest.raises(DLVerifyError) as closed:
        verifier.verify_text("DL1:x")
    assert closed.value.status is Status.STATE


def test_versions():
    assert dlverify.library_version() == "1.1.0"
    assert dlverify.ABI_VERSION == 1


def test_arguments_that_c_would_misread_are_refused():
    with Verifier(trust=str(VECTORS / "trust"), status=[str(VECTORS / "status/current.cwt")]) as verifier:
        code = next(v for v in DOCUMENT["vectors"] if v["name"] == "valid")["code"]
        with pytest.raises(ValueError, match="category holds a NUL"):
            verifier.verify_text(code, category="C1\0ZZ", at=AT)
        with pytest.raises(ValueError, match="text holds a NUL"):
            verifier.verify_text(code + "\0GARBAGE", at=AT)
        with pytest.raises(ValueError, match="out of range"):
            verifier.verify_text(code, at=2 ** 63)
        with pytest.raises(ValueError, match="out of range"):
            verifier.verify_text(code, at=-(2 ** 63))
    with pytest.raises(ValueError, match="out of range"):
        Verifier(trust=str(VECTORS / "trust"), leeway=2 ** 64 + 5)
    with pytest.raises(ValueError, match="trust holds a NUL"):
        Verifier(trust=str(VECTORS / "trust") + "\0/../x")


def test_an_unknown_verdict_from_a_newer_library_is_not_valid():
    verdict = Verdict(17)
    assert verdict.name == "UNKNOWN_17" and int(verdict) == 17 and verdict != Verdict.VALID


def test_close_waits_for_verifications_in_flight():
    import threading
    code = next(v for v in DOCUMENT["vectors"] if v["name"] == "valid")["code"]
    verifier = Verifier(trust=str(VECTORS / "trust"), status=[str(VECTORS / "status/current.cwt")])
    errors = []

    def work():
        for _ in range(200):
            try:
                assert verifier.verify_text(code, at=AT).verdict is Verdict.VALID
            except DLVerifyError as error:
                assert error.status is Status.STATE  # closed meanwhile: refused, never a crash
                return
            except Exception as error:  # noqa: BLE001
                errors.append(error)
                return

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    verifier.close()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_package_version_is_the_library_s():
    import re
    pyproject = (REPO / "bindings/python/pyproject.toml").read_text()
    header = (REPO / "Sources/CDLVerify/include/dlverify.h").read_text()
    assert re.search(r'^version = "(.*)"', pyproject, re.M).group(1) == re.search(r'#define DLV_VERSION "(.*)"', header).group(1)
