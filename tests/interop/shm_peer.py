"""A peer in another language for the interop tests: Python's multiprocessing.shared_memory on the same
segments the cmdlets use, and a reader of the PSSharedMemory value layout written from docs/layout.md alone.

    shm_peer.py create NAME SIZE OFFSET HEX   create a raw segment, write bytes at OFFSET, leave it in place
    shm_peer.py read NAME OFFSET COUNT        print COUNT bytes at OFFSET of an existing segment, as hex
    shm_peer.py size NAME                     print the segment's size
    shm_peer.py value NAME                    print the stored value of a PSSharedMemory segment (kind and text;
                                              a flat object as JSON of [type, value] per property)
    shm_peer.py lanesum HEX                   print the LaneSum checksum of the bytes, in hex
"""
import datetime
import decimal
import json
import struct
import sys
import uuid
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


FLAT_SCALARS = {
    2: ("bool", "<B"), 3: ("char", "<H"), 4: ("sbyte", "<b"), 5: ("byte", "<B"), 6: ("int16", "<h"),
    7: ("uint16", "<H"), 8: ("int32", "<i"), 9: ("uint32", "<I"), 10: ("int64", "<q"), 11: ("uint64", "<Q"),
    12: ("single", "<f"), 13: ("double", "<d"), 16: ("timespan", "<q"),
}
ELEMENT_TYPES = {0: "object", 1: "string", 2: "bool", 3: "char", 4: "sbyte", 6: "int16", 7: "uint16", 8: "int32",
                 9: "uint32", 10: "int64", 11: "uint64", 12: "single", 13: "double", 14: "decimal", 15: "datetime",
                 16: "timespan", 17: "guid"}
KINDS = {0: "unspecified", 1: "utc", 2: "local"}


class FlatReader:
    """Payload kind 4 of docs/layout.md, every length checked against what is left."""

    def __init__(self, payload):
        self.payload, self.at = payload, 0

    def take(self, count):
        if count > len(self.payload) - self.at:
            raise ValueError("a field runs past the end of the payload")
        self.at += count
        return self.payload[self.at - count:self.at]

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def value(self, allow_array=True):
        code = self.unpack("<B")
        if code == 0:
            return ["null", None]
        if code == 1:
            return ["string", self.take(self.unpack("<I")).decode("utf-8")]
        if code in FLAT_SCALARS:
            name, fmt = FLAT_SCALARS[code]
            number = self.unpack(fmt)
            if name == "bool" and number > 1:
                raise ValueError("a boolean that is neither 0 nor 1")
            return [name, bool(number) if name == "bool" else number]
        if code == 14:
            low, mid, high, flags = struct.unpack("<iiii", self.take(16))
            magnitude = (low & 0xFFFFFFFF) | (mid & 0xFFFFFFFF) << 32 | (high & 0xFFFFFFFF) << 64
            scaled = decimal.Decimal(magnitude).scaleb(-((flags >> 16) & 0xFF))
            return ["decimal", str(-scaled if flags < 0 else scaled)]
        if code == 15:
            binary = self.unpack("<Q")
            ticks = binary & ((1 << 62) - 1)
            when = datetime.datetime(1, 1, 1) + datetime.timedelta(microseconds=ticks // 10)
            return ["datetime", KINDS[binary >> 62], when.isoformat() + "%01d" % (ticks % 10)]
        if code == 17:
            return ["guid", str(uuid.UUID(bytes_le=self.take(16)))]
        if code == 18 and allow_array:
            element = ELEMENT_TYPES[self.unpack("<B")]
            return [element + "[]", [self.value(False) for _ in range(self.unpack("<I"))]]
        raise ValueError("unknown value type %d" % code)


def read_flat_object(payload):
    reader = FlatReader(payload)
    if reader.unpack("<B") != 1:
        raise ValueError("unknown flat object format")
    properties = {}
    for _ in range(reader.unpack("<H")):
        name = reader.take(reader.unpack("<H")).decode("utf-8")
        properties[name] = reader.value()
    if reader.at != len(payload):
        raise ValueError("bytes after the last property")
    return properties


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
        text = json.dumps(read_flat_object(payload), ensure_ascii=False) if kind == 4 else payload.decode("utf-8")
        print(kind, version, text)
        shm.close()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
