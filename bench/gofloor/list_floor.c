/* The list floor (../list_floor.c) as a function of a Go program, each of
 * its calls made from Go (via_go.h); main.go runs it with the process's
 * arguments. */
#include "via_go.h"
#define main list_floor_main
#include "../list_floor.c"
