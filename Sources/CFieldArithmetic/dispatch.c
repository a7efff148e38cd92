/* Chooses the ADX assembly once, at load time: CPUID says whether MULX/ADCX/ADOX exist, and
   ZKINFER_NO_ADX=1 forces the portable path (for testing and comparison). */
#include <stdlib.h>
#include "field_dispatch.h"

int zk_adx_enabled = 0;

__attribute__((constructor)) static void zk_detect_adx(void)
{
    const char *disabled = getenv("ZKINFER_NO_ADX");
    zk_adx_enabled = (disabled == NULL || disabled[0] == '\0' || disabled[0] == '0') && zk_cpu_has_adx_bmi2();
}
