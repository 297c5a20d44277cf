#!/usr/bin/env python3
"""Mutation fuzzing of the built `preflight`: mutated TestMedia files through probe, check and the fix
planner (`fix --dry-run`). Driven by scripts/fuzz; see its header for what counts as a failure."""
import argparse
import json
import math
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

ALLOWED = {0, 1, 2, 64, 65, 66, 69, 75, 77}
MAX_SIDE = 32768
VIDEO_MODELS = ["fal-ai/kling-video/o1/video-to-video/edit", "fal-ai/wan/v2.7/edit-video"]
IMAGE_MODELS = ["fal-ai/kling-video/o1/image-to-video", "fal-ai/veo2/image-to-video"]
AUDIO_MODELS = ["fal-ai/sync-lipsync/v2", "fal-ai/kling-video/o1/video-to-video/edit"]
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
AUDIO_EXT = {".m4a", ".mp3", ".wav", ".aac"}
INTERESTING32 = [0, 1, 2, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 65535, 3, 64]


# ---- mutations ---------------------------------------------------------------------------------

def bit_flips(rng, data):
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return "bit flips"


def header_bytes(rng, data):
    # The first bytes hold box/chunk sizes, types, dimensions: where parsers trust most.
    span = min(len(data), 1024)
    for _ in range(rng.randint(1, 6)):
        data[rng.randrange(span)] = rng.choice([0, 0xFF, 0x7F, 0x80, 1, rng.randrange(256)])
    return "header bytes"


def truncate(rng, data):
    cut = rng.randrange(1, max(2, len(data)))
    del data[cut:]
    return f"truncated to {cut}"


def int_field(rng, data):
    i = rng.randrange(max(1, len(data) - 4))
    data[i:i + 4] = struct.pack(">I", rng.choice(INTERESTING32))
    return f"u32 at {i}"


def chunk_field(rng, data, tag, offsets, label):
    """Overwrite the 32-bit fields `offsets` bytes after `tag` (PNG pHYs, MP4 pasp/tkhd/avc1...)."""
    pos = data.find(tag)
    if pos < 0:
        return None
    for off in offsets:
        j = pos + len(tag) + off
        if j + 4 <= len(data) and rng.random() < 0.8:
            data[j:j + 4] = struct.pack(">I", rng.choice(INTERESTING32 + [rng.randrange(1 << 32)]))
    return label


def sar_fields(rng, data):
    choices = [(b"pHYs", [0, 4], "PNG pHYs"), (b"pasp", [0, 4], "MP4 pasp"),
               (b"tkhd", [76, 80], "MP4 tkhd size"), (b"avc1", [24], "MP4 avc1 size"),
               (b"IHDR", [0, 4], "PNG IHDR size"), (b"mvhd", [12, 16], "MP4 mvhd timescale/duration"),
               (b"mdhd", [12, 16], "MP4 mdhd timescale/duration"), (b"stts", [8, 12], "MP4 stts")]
    rng.shuffle(choices)
    for tag, offs, label in choices:
        r = chunk_field(rng, data, tag, offs, label)
        if r:
            return r
    return int_field(rng, data)


def jpeg_segment_length(rng, data):
    """A JPEG marker segment (APPn, DQT, SOF...) whose 16-bit length lies."""
    marks = [i for i in range(min(len(data), 65536) - 3) if data[i] == 0xFF and 0xC0 <= data[i + 1] <= 0xFE and data[i + 1] != 0xD8]
    if not marks:
        return bit_flips(rng, data)
    i = rng.choice(marks)
    data[i + 2:i + 4] = struct.pack(">H", rng.choice([0, 1, 2, 3, 6, 7, 8, 9, 0xFFFF, rng.randrange(65536)]))
    return f"JPEG segment length at {i}"


def splice(rng, data):
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 64))
    piece = data[a:b]
    at = rng.randrange(len(data))
    data[at:at] = piece
    return "spliced"


# Weighted toward changes that leave a file readable enough to reach the deeper code.
MUTATORS = [bit_flips, bit_flips, bit_flips, header_bytes, truncate, int_field, sar_fields, sar_fields, sar_fields, jpeg_segment_length, splice]


def mutate(rng, original):
    data = bytearray(original)
    steps = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        if not data:
            break
        steps.append(rng.choice(MUTATORS)(rng, data))
    return bytes(data), ", ".join(steps)


# ---- judging -----------------------------------------------------------------------------------

class Bad(Exception):
    pass


def reject_constant(name):
    raise Bad(f"non-finite number {name} in JSON")


def walk(value, path=""):
    if isinstance(value, float) and not math.isfinite(value):
        raise Bad(f"non-finite number at {path}")
    if isinstance(value, dict):
        if "error" in value and "path" in value:
            return  # a failed file: nothing it says is claimed valid
        for k in ("width", "height", "display_width", "display_height"):
            v = value.get(k)
            if isinstance(v, int) and not (1 <= v <= MAX_SIDE):
                raise Bad(f"absurd size {k}={v} at {path}")
        for k, v in value.items():
            walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            walk(v, f"{path}[{i}]")


def judge(result, wants_json):
    rc, out = result
    if rc == "timeout":
        raise Bad("hang (timeout)")
    if rc < 0 or (rc >= 128 and rc != 130):
        raise Bad(f"crash: exit {rc}")
    if rc not in ALLOWED:
        raise Bad(f"undocumented exit {rc}")
    if wants_json and out.strip():
        try:
            docs = [json.loads(out, parse_constant=reject_constant)]
        except json.JSONDecodeError:
            # --json of fix prints the plan then the result as two documents; check each line block.
            try:
                docs = [json.loads(chunk, parse_constant=reject_constant) for chunk in split_documents(out)]
            except json.JSONDecodeError as e:
                raise Bad(f"unparsable JSON: {e}")
        for d in docs:
            walk(d)


def split_documents(text):
    decoder = json.JSONDecoder(parse_constant=reject_constant)
    i, docs = 0, []
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, end = decoder.raw_decode(text, i)
        docs.append(json.dumps(obj))
        i = end
    return docs


def run(binary, args, env, timeout):
    try:
        p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return (p.returncode, p.stdout.decode("utf-8", "replace")), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return ("timeout", ""), ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--media", required=True)
    ap.add_argument("--failures", required=True)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--no-fix", action="store_true", help="probe and check only")
    ap.add_argument("--all-commands", action="store_true", help="check and fix even the inputs probe refused")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    sources = sorted(f for f in os.listdir(a.media) if not f.endswith(".md") and os.path.getsize(os.path.join(a.media, f)) > 0)
    originals = {f: open(os.path.join(a.media, f), "rb").read() for f in sources}
    work = tempfile.mkdtemp(prefix="preflight-fuzz-")
    env = dict(os.environ, PREFLIGHT_HOME=os.path.join(work, "home"), NO_COLOR="1")
    tally = {"inputs": 0, "runs": 0, "failures": 0, "exits": {}}
    started = time.time()

    def stop(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        for n in range(a.count):
            name = rng.choice(sources)
            data, how = mutate(rng, originals[name])
            ext = os.path.splitext(name)[1]
            refused = False
            path = os.path.join(work, f"input{ext}")
            with open(path, "wb") as f:
                f.write(data)
            models = IMAGE_MODELS if ext in IMAGE_EXT else AUDIO_MODELS if ext in AUDIO_EXT else VIDEO_MODELS
            commands = [(["probe", "--json", "--timeout", "10", path], True),
                        (["check", path, "--json", "--set", "prompt=x", "--model", models[0], "--model", models[1]], True)]
            if not a.no_fix:
                commands.append((["fix", path, "--dry-run", "--json", "--set", "prompt=x", "--model", models[0]], True))
            tally["inputs"] += 1
            for args, wants_json in commands:
                if args[0] != "probe" and refused and not a.all_commands:
                    # check and fix probe the file the same way first: a refused file is refused again.
                    tally["skipped"] = tally.get("skipped", 0) + 1
                    continue
                result, err = run(a.binary, args, env, a.timeout)
                if args[0] == "probe":
                    refused = result[0] in (65, 66)
                tally["runs"] += 1
                tally["exits"][str(result[0])] = tally["exits"].get(str(result[0]), 0) + 1
                try:
                    judge(result, wants_json)
                except Bad as problem:
                    tally["failures"] += 1
                    os.makedirs(a.failures, exist_ok=True)
                    stem = f"seed{a.seed}-{n:05d}-{args[0]}"
                    keep = os.path.join(a.failures, stem + ext)
                    with open(keep, "wb") as f:
                        f.write(data)
                    with open(os.path.join(a.failures, stem + ".txt"), "w") as f:
                        shown = [x if x != path else keep for x in args]
                        f.write(f"{problem}\nfrom {name} ({how})\npreflight {' '.join(shown)}\nexit {result[0]}\n--- stdout\n{result[1][:4000]}\n--- stderr\n{err[:4000]}\n")
                    print(f"FAIL {stem}: {problem} [{name}: {how}]", flush=True)
            if (n + 1) % 100 == 0:
                print(f"{n + 1} inputs, {tally['failures']} failures, {time.time() - started:.0f} s", flush=True)
    except KeyboardInterrupt:
        tally["stopped_early"] = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tally["seconds"] = round(time.time() - started, 1)
    print(json.dumps(tally, sort_keys=True))
    return 1 if tally["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
