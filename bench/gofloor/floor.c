/* The floor (../floor.c) as a function of a Go program, each of its calls
 * made from Go (via_go.h); main.go runs it with the process's arguments. */
#include "via_go.h"
#define main floor_main
#include "../floor.c"
