/* test_proc: the process the Process Management Server creates at boot, inside a PS
 * transaction, to show the whole chain works. */
#include "user/telos.h"

int main(void)
{
    telos_print("TelOS: test_proc alive.\n");
    return 0;
}
