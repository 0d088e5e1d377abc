/* Prints the initial process stack that Linux built for this program, relative to the top of the
 * [stack] mapping, so NexaOS's kernel/exec/initial-stack.ts can be compared with real Linux.
 *
 * Build: musl-gcc -static -O2 -o stack-layout userland/probe/stack-layout.c
 * Run:   env -i A=1 B=22 ./stack-layout x yy        (human-readable listing)
 *        env -i A=1 B=22 ./stack-layout --hex x     (machine-readable; used by the tests)
 *
 * The initial stack pointer is recovered as argv - 8 (argc sits just below argv[0]'s pointer).
 * musl's start-up code never writes into [sp, top), so what is printed is what the kernel wrote.
 * --hex prints "top <hex>", "sp <hex>" and "bytes <hex of [sp, top)>", one per line.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long stack_top(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[512];
  unsigned long start, end;
  if (!maps) {
    perror("/proc/self/maps");
    exit(1);
  }
  while (fgets(line, sizeof line, maps)) {
    if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &start, &end) == 2) {
      fclose(maps);
      return end;
    }
  }
  fprintf(stderr, "no [stack] line in /proc/self/maps\n");
  exit(1);
}

static const char *aux_name(unsigned long type) {
  switch (type) {
  case AT_NULL: return "AT_NULL";
  case AT_PHDR: return "AT_PHDR";
  case AT_PHENT: return "AT_PHENT";
  case AT_PHNUM: return "AT_PHNUM";
  case AT_PAGESZ: return "AT_PAGESZ";
  case AT_BASE: return "AT_BASE";
  case AT_FLAGS: return "AT_FLAGS";
  case AT_ENTRY: return "AT_ENTRY";
  case AT_UID: return "AT_UID";
  case AT_EUID: return "AT_EUID";
  case AT_GID: return "AT_GID";
  case AT_EGID: return "AT_EGID";
  case AT_PLATFORM: return "AT_PLATFORM";
  case AT_HWCAP: return "AT_HWCAP";
  case AT_CLKTCK: return "AT_CLKTCK";
  case AT_SECURE: return "AT_SECURE";
  case AT_RANDOM: return "AT_RANDOM";
  case AT_HWCAP2: return "AT_HWCAP2";
  case 27: return "AT_RSEQ_FEATURE_SIZE";
  case 28: return "AT_RSEQ_ALIGN";
  case AT_EXECFN: return "AT_EXECFN";
  case AT_SYSINFO_EHDR: return "AT_SYSINFO_EHDR";
  case 51: return "AT_MINSIGSTKSZ";
  default: return "?";
  }
}

int main(int argc, char **argv, char **envp) {
  unsigned long top = stack_top();
  unsigned char *sp = (unsigned char *)argv - sizeof(long);
  char **p = envp;
  unsigned long *aux;
  int i;

  if (argc > 1 && strcmp(argv[1], "--hex") == 0) {
    printf("top %lx\nsp %lx\nbytes ", top, (unsigned long)sp);
    for (unsigned char *b = sp; b < (unsigned char *)top; b++) printf("%02x", *b);
    printf("\n");
    return 0;
  }

  printf("stack top 0x%lx; offsets below are top - address\n", top);
  printf("sp        %6lu  (sp %% 16 = %lu)  argc = %ld\n", top - (unsigned long)sp,
         (unsigned long)sp % 16, *(long *)sp);
  for (i = 0; i < argc; i++)
    printf("argv[%d]   %6lu  \"%s\"\n", i, top - (unsigned long)argv[i], argv[i]);
  for (i = 0; envp[i]; i++)
    printf("envp[%d]   %6lu  \"%s\"\n", i, top - (unsigned long)envp[i], envp[i]);
  while (*p) p++;
  for (aux = (unsigned long *)(p + 1); ; aux += 2) {
    unsigned long type = aux[0], value = aux[1];
    int on_stack = value >= (unsigned long)sp && value < top;
    printf("auxv @%6lu  %-20s %2lu  ", top - (unsigned long)aux, aux_name(type), type);
    if (on_stack) printf("-> stack %lu", top - value);
    else printf("0x%lx", value);
    if (type == AT_PLATFORM || type == AT_EXECFN) printf("  \"%s\"", (char *)value);
    printf("\n");
    if (type == AT_NULL) break;
  }
  printf("auxv end  %6lu\n", top - (unsigned long)(aux + 2));
  return 0;
}
