#!/usr/bin/env python3
"""Writes seed inputs for a fuzz target from the published test vectors."""
import json, os, sys, zlib

target, out = sys.argv[1], sys.argv[2]
root = os.path.join(os.path.dirname(__file__), "..", "testvectors")
vectors = json.load(open(os.path.join(root, "vectors.json")))["vectors"]
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

def base45_decode(text):
    out, i = bytearray(), 0
    values = [ALPHABET.index(c) for c in text]
    while i + 3 <= len(values):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        out += bytes([n >> 8, n & 0xFF]); i += 3
    if len(values) - i == 2:
        out.append(values[i] + values[i + 1] * 45)
    return bytes(out)

def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

for v in vectors:
    code = v["code"]
    if target == "code":
        write(v["name"], b"\x00" + code.encode())
        if code.startswith("DL1:"):
            try:
                cose = zlib.decompress(base45_decode(code[4:]))
                # The payload (third item of the COSE_Sign1) as an odd-first-byte seed.
                i = cose.find(b"\xa6")
                if i > 0:
                    write(v["name"] + "-payload", b"\x01" + cose[i:-66])
            except Exception:
                pass
        if code.startswith("DL2:"):
            try:
                body = zlib.decompress(base45_decode(code[4:]))
                # The bound credential's claims (a map of seven entries, cnf included) as a
                # first-byte-3 seed: signed as a bound credential and presented by the fuzzer.
                i = body.find(b"\xa7")
                if i > 0:
                    end = body.rfind(b"\x58\x40", 0, len(body) - 64)  # the issuer's signature header
                    write(v["name"] + "-bound-payload", b"\x03" + body[i:end if end > i else len(body)])
            except Exception:
                pass
    elif target == "cbor" and code.startswith("DL1:"):
        try:
            write(v["name"], zlib.decompress(base45_decode(code[4:])))
        except Exception:
            pass
if target == "statuslist":
    for name in os.listdir(os.path.join(root, "status")):
        write(name, open(os.path.join(root, "status", name), "rb").read())
if target == "image":
    for name in os.listdir(os.path.join(root, "images")):
        write(name, open(os.path.join(root, "images", name), "rb").read())
