// recovery — the operator's way back in when the station head's token is
// lost (or revoked): `personnel --recover-station-head-token` (with the
// usual --config/--set flags and SM_* environment) issues the active
// station head a new token, prints it once on stdout and exits. Nothing
// else is printed on stdout in this mode (logs go to stderr, never the
// token); the issue is an ordinary personnel.token.issued event by the
// actor `recovery`. Only someone who can run the personnel binary against
// its Redis can do this: the same trust as the bootstrap token.
#ifndef PERSONNEL_RECOVERY_H
#define PERSONNEL_RECOVERY_H

#include <stdbool.h>

#define RECOVERY_FLAG     "--recover-station-head-token"
#define RECOVERY_ACTOR    "recovery"
#define RECOVERY_ARGS_MAX 64 // command-line arguments accepted

// True when argv holds RECOVERY_FLAG.
bool recovery_requested(int argc, char **argv);

// Run the recovery (argv without the flag is the config's command line).
// Returns the process exit code: 0 after printing the token, 1 when there
// is no single active station head or Redis fails, CM_CONFIG_EXIT for bad
// configuration.
int recovery_main(int argc, char **argv);

#endif
