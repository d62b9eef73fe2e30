// A Win32 program written after the seed's recipe (../../../shared/seed), with its defects fixed:
// CreateFileMapping(INVALID_HANDLE_VALUE, ..., name) to create or open (telling which), MapViewOfFile,
// copy at an offset while holding the mutex <name>_Mutex, UnmapViewOfFile/CloseHandle. Unlike the seed it
// checks every offset against the size, waits with a timeout, handles WAIT_ABANDONED, and releases the
// mutex only when it owns it.
//
//   seed_peer NAME SIZE write OFFSET HEX [HOLD_MS]   create or open, write bytes, keep the mapping HOLD_MS
//   seed_peer NAME SIZE read OFFSET COUNT            print COUNT bytes at OFFSET as hex
//   seed_peer NAME SIZE lock HOLD_MS                 hold <name>_Mutex for HOLD_MS (prints "locked <pid>")
//   seed_peer - 0 terminate PID                      TerminateProcess(PID) with exit code 9
//
// Output: "created" or "opened", then the command's result. Exit codes: 0 done, 2 usage, 3 out of range,
// 4 mutex timeout, 5 system error. WAIT_ABANDONED prints "abandoned" and carries on, as it owns the mutex.
#include <windows.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const DWORD kLockTimeoutMs = 5000;

struct Segment {
    HANDLE mapping = nullptr;
    HANDLE mutex = nullptr;
    unsigned char* view = nullptr;
    SIZE_T size = 0;

    ~Segment() {
        if (view) UnmapViewOfFile(view);
        if (mapping) CloseHandle(mapping);
        if (mutex) CloseHandle(mutex);
    }
};

int Fail(const char* what) {
    std::printf("error %s %lu\n", what, GetLastError());
    return 5;
}

// Returns 0 when created, 1 when opened, -1 on failure: decided by one CreateFileMapping call.
int Open(Segment& s, const std::wstring& name, SIZE_T size) {
    s.mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                   static_cast<DWORD>(static_cast<unsigned long long>(size) >> 32),
                                   static_cast<DWORD>(size & 0xFFFFFFFFu), name.c_str());
    if (!s.mapping) return -1;
    int opened = GetLastError() == ERROR_ALREADY_EXISTS ? 1 : 0;
    s.view = static_cast<unsigned char*>(MapViewOfFile(s.mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0));
    if (!s.view) return -1;
    MEMORY_BASIC_INFORMATION info;
    if (!VirtualQuery(s.view, &info, sizeof info)) return -1;
    // An opened mapping is as large as its creator made it, whatever size we asked for.
    s.size = opened ? info.RegionSize : size;
    s.mutex = CreateMutexW(nullptr, FALSE, (name + L"_Mutex").c_str());
    if (!s.mutex) return -1;
    return opened;
}

// 0 owned, 1 owned after the previous owner died, -1 timed out or failed (and not owned).
int Lock(Segment& s) {
    switch (WaitForSingleObject(s.mutex, kLockTimeoutMs)) {
        case WAIT_OBJECT_0: return 0;
        case WAIT_ABANDONED: std::printf("abandoned\n"); return 1;
        default: return -1;
    }
}

bool InRange(const Segment& s, unsigned long long offset, unsigned long long count) {
    return offset <= s.size && count <= s.size - offset;
}

std::vector<unsigned char> FromHex(const char* hex) {
    std::vector<unsigned char> bytes;
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
        char pair[3] = {hex[i], hex[i + 1], 0};
        bytes.push_back(static_cast<unsigned char>(std::strtoul(pair, nullptr, 16)));
    }
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    std::string command = argv[3];
    if (command == "terminate" && argc >= 5) {
        HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(std::strtoul(argv[4], nullptr, 10)));
        if (!process) return Fail("OpenProcess");
        BOOL ok = TerminateProcess(process, 9);
        CloseHandle(process);
        if (!ok) return Fail("TerminateProcess");
        std::printf("terminated\n");
        return 0;
    }

    std::string narrow = argv[1];
    std::wstring name(narrow.begin(), narrow.end());
    Segment s;
    int opened = Open(s, name, static_cast<SIZE_T>(std::strtoull(argv[2], nullptr, 10)));
    if (opened < 0) return Fail("open");
    std::printf(opened ? "opened\n" : "created\n");
    std::fflush(stdout);

    if (command == "write" && argc >= 6) {
        unsigned long long offset = std::strtoull(argv[4], nullptr, 10);
        std::vector<unsigned char> data = FromHex(argv[5]);
        if (!InRange(s, offset, data.size())) { std::printf("out of range\n"); return 3; }
        if (Lock(s) < 0) { std::printf("timeout\n"); return 4; }
        std::memcpy(s.view + offset, data.data(), data.size());
        ReleaseMutex(s.mutex);
        std::printf("written %zu\n", data.size());
        std::fflush(stdout);
        if (argc >= 7) Sleep(static_cast<DWORD>(std::strtoul(argv[6], nullptr, 10)));
        return 0;
    }
    if (command == "read" && argc >= 6) {
        unsigned long long offset = std::strtoull(argv[4], nullptr, 10);
        unsigned long long count = std::strtoull(argv[5], nullptr, 10);
        if (!InRange(s, offset, count)) { std::printf("out of range\n"); return 3; }
        if (Lock(s) < 0) { std::printf("timeout\n"); return 4; }
        std::string hex;
        char digits[3];
        for (unsigned long long i = 0; i < count; i++) {
            std::snprintf(digits, sizeof digits, "%02x", s.view[offset + i]);
            hex += digits;
        }
        ReleaseMutex(s.mutex);
        std::printf("%s\n", hex.c_str());
        return 0;
    }
    if (command == "lock" && argc >= 5) {
        if (Lock(s) < 0) { std::printf("timeout\n"); return 4; }
        std::printf("locked %lu\n", GetCurrentProcessId());
        std::fflush(stdout);
        Sleep(static_cast<DWORD>(std::strtoul(argv[4], nullptr, 10)));
        ReleaseMutex(s.mutex);
        std::printf("released\n");
        return 0;
    }
    return 2;
}
