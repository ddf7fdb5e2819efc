/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), test use only.
 *
 * Go 1.22+ programs call ProcessPrng from bcryptprimitives.dll as the first thing they do; every
 * Windows 10/11 has it, but Wine added the DLL only in version 9, so under Debian 12's wine64 a Go
 * .exe dies with "bcryptprimitives.dll not found". This shim provides that one function on top of
 * BCryptGenRandom, which Wine 8 has. scripts/windows/wine-env.sh builds it with mingw-w64 and puts
 * it in the throw-away WINEPREFIX's system32. It is never shipped with ferry.exe.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
