"""A peer in another language for the interop tests: Python's multiprocessing.shared_memory on the same
segments the cmdlets use, and a reader of the PSSharedMemory value layout written from docs/layout.md alone.

    shm_peer.py create NAME SIZE OFFSET HEX   create a raw segment, write bytes at OFFSET, leave it in place
    shm_peer.py read NAME OFFSET COUNT        print COUNT bytes at OFFSET of an existing segment, as hex
    shm_peer.py size NAME                     print the segment's size
    shm_peer.py value NAME                    print the stored value of a PSSharedMemory segment (kind and text)
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


def read_value(buf):
    magic, layout, header_size, capacity, version, kind_of_segment, active = struct.unpack_from("<IHHQQII", buf, 0)
    if magic != MAGIC or layout != 1 or header_size != HEADER or active > 1:
        raise ValueError("not a PSSharedMemory value segment")
    offset, length, kind, crc, value_version = struct.unpack_from("<QQIIQ", buf, 32 + 32 * active)
    if offset + length > capacity or capacity > len(buf) - HEADER:
        raise ValueError("value outside the data area")
    payload = bytes(buf[HEADER + offset:HEADER + offset + length])
    if zlib.crc32(payload) != crc:
        raise ValueError("checksum mismatch")
    return kind, payload, value_version


def main(argv):
    command, name = argv[1], argv[2]
    if command == "create":
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
