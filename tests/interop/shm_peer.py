"""A peer in another language for the interop tests: Python's multiprocessing.shared_memory on the same
segments the cmdlets use, and a reader of the PSSharedMemory value layout written from docs/layout.md alone.

    shm_peer.py create NAME SIZE OFFSET HEX   create a raw segment, write bytes at OFFSET, leave it in place
    shm_peer.py read NAME OFFSET COUNT        print COUNT bytes at OFFSET of an existing segment, as hex
    shm_peer.py size NAME                     print the segment's size
    shm_peer.py value NAME                    print the stored value of a PSSharedMemory segment (kind and text)
    shm_peer.py lanesum HEX                   print the LaneSum checksum of the bytes, in hex
"""
import struct
import sys
import zlib
from multiprocessing import resource_tracker, shared_memory

HEADER = 128
MAGIC = 0x4D535350


def attach(name, create=False, size=0):
    shm = shared_memory.SharedMemory(name=name, create=create, size=size)
    # Python 3.8-3.12 unlink every segment they attach to when the process ends; this peer must not.
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


MASK64 = (1 << 64) - 1


def _mix(h):
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    return h ^ (h >> 33)


def lane_sum(payload):
    """Checksum algorithm 1 of docs/layout.md."""
    padded = payload + bytes(-len(payload) % 16)
    a, b = [0] * 4, [0] * 4
    for words in struct.iter_unpack("<4I", padded):
        for lane in range(4):
            a[lane] = (a[lane] + words[lane]) & MASK64
            b[lane] = (b[lane] + a[lane]) & MASK64
    h = len(payload)
    for x in a + b:
        h = _mix(h ^ x)
    return (h ^ (h >> 32)) & 0xFFFFFFFF


CHECKSUMS = {0: zlib.crc32, 1: lane_sum}


def read_value(buf):
    magic, layout, header_size, capacity, version, kind_of_segment, active = struct.unpack_from("<IHHQQII", buf, 0)
    if magic != MAGIC or layout not in (1, 2) or header_size != HEADER or active > 1:
        raise ValueError("not a PSSharedMemory value segment")
    algorithm = struct.unpack_from("<I", buf, 112)[0] if layout == 2 else 0
    if algorithm not in CHECKSUMS:
        raise ValueError("unknown checksum algorithm")
    offset, length, kind, crc, value_version = struct.unpack_from("<QQIIQ", buf, 32 + 32 * active)
    if offset + length > capacity or capacity > len(buf) - HEADER:
        raise ValueError("value outside the data area")
    payload = bytes(buf[HEADER + offset:HEADER + offset + length])
    if CHECKSUMS[algorithm](payload) != crc:
        raise ValueError("checksum mismatch")
    return kind, payload, value_version


def main(argv):
    command, name = argv[1], argv[2]
    if command == "lanesum":
        print("%08x" % lane_sum(bytes.fromhex(name)))
    elif command == "create":
        size, offset, data = int(argv[3]), int(argv[4]), bytes.fromhex(argv[5])
        shm = attach(name, create=True, size=size)
        shm.buf[offset:offset + len(data)] = data
        shm.close()
    elif command == "read":
        offset, count = int(argv[3]), int(argv[4])
        shm = attach(name)
        print(bytes(shm.buf[offset:offset + count]).hex())
        shm.close()
    elif command == "size":
        shm = attach(name)
        print(shm.size)
        shm.close()
    elif command == "value":
        shm = attach(name)
        kind, payload, version = read_value(shm.buf)
        print(kind, version, payload.decode("utf-8"))
        shm.close()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
