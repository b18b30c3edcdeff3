/*
 * TEST ONLY, never shipped: a stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks.
 *
 * Rust's standard library gets its random bytes (HashMap seeds, among others) from
 * bcryptprimitives.dll's ProcessPrng on Windows 10 and later. Real Windows always has it; under
 * Wine 8 every Rust program fails to start without it. scripts/windows.sh builds this file with
 * MinGW-w64 into the Wine prefix's system32 (where Windows keeps the real one) only; the Windows
 * package never holds it.
 *
 * ProcessPrng is forwarded to advapi32's SystemFunction036 (RtlGenRandom), which Wine implements.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a 32-bit length: fill larger requests in pieces. */
    while (length > 0) {
        ULONG piece = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
