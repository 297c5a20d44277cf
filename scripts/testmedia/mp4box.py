#!/usr/bin/env python3
"""Tiny ISO BMFF walker for crafting hostile files: list boxes, find one by path, patch bytes."""
import struct, sys
CONTAINERS = {b'moov', b'trak', b'mdia', b'minf', b'stbl', b'edts', b'dinf', b'udta', b'mvex', b'moof', b'traf'}
SAMPLE_ENTRY = {b'avc1', b'avc3', b'hvc1', b'hev1', b'av01', b'vp09', b'apch', b'apcn', b'apcs', b'apco', b'ap4h', b'ap4x', b'mp4a', b'jpeg', b'mjpa'}

def walk(data, start=0, end=None, path=()):
    end = len(data) if end is None else end
    i = start
    while i + 8 <= end:
        size, typ = struct.unpack('>I4s', data[i:i+8])
        hdr = 8
        if size == 1:
            size = struct.unpack('>Q', data[i+8:i+16])[0]; hdr = 16
        elif size == 0:
            size = end - i
        if size < hdr or i + size > end:
            yield (path + (typ,), i, hdr, min(size, end - i)); return
        yield (path + (typ,), i, hdr, size)
        if typ in CONTAINERS:
            yield from walk(data, i + hdr, i + size, path + (typ,))
        elif typ == b'stsd':
            yield from walk(data, i + hdr + 8, i + size, path + (typ,))
        elif typ in SAMPLE_ENTRY:
            body = 78 if typ not in (b'mp4a',) else 28
            yield from walk(data, i + hdr + body, i + size, path + (typ,))
        i += size

def boxes(data):
    return list(walk(data))

def find(data, typ, nth=0):
    hits = [b for b in walk(data) if b[0][-1] == typ]
    return hits[nth]

if __name__ == '__main__':
    d = open(sys.argv[1], 'rb').read()
    for p, off, hdr, size in walk(d):
        print('  ' * (len(p) - 1) + p[-1].decode('latin1'), off, size)

def insert_child(data, parent_type, payload, nth=0):
    """Appends a box (full bytes) at the end of the nth box of parent_type, growing every ancestor.
    Chunk offsets are fixed when the insertion lands before the mdat."""
    data = bytearray(data)
    target = [b for b in walk(data) if b[0][-1] == parent_type][nth]
    path, off, hdr, size = target
    at = off + size
    ancestors = [b for b in walk(data) if b[1] <= off and b[1] + b[3] >= at and len(b[0]) <= len(path) and b[0] == path[:len(b[0])]]
    for p, o, h, s in ancestors:
        data[o:o+4] = struct.pack('>I', s + len(payload))
    mdat = [b for b in walk(data) if b[0] == (b'mdat',)]
    data[at:at] = payload
    if mdat and mdat[0][1] >= at:
        for p, o, h, s in walk(data):
            if p[-1] == b'stco':
                n = struct.unpack('>I', data[o+h+4:o+h+8])[0]
                for k in range(n):
                    q = o + h + 8 + 4 * k
                    data[q:q+4] = struct.pack('>I', struct.unpack('>I', data[q:q+4])[0] + len(payload))
    return data
