#include "trace/trace-hw_pcc.h"
