/* Wine 8 lacks ProcessPrng (bcryptprimitives.dll), which Rust's std imports on Windows. This stand-in forwards it
 * to RtlGenRandom (advapi32 SystemFunction036). Used only by the Wine smoke test; never shipped. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
