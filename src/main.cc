#include "cli/main.h"

int main(int argc, char** argv) { return schicht::cli::run(argc, argv); }
