8021  execve("/usr/bin/make", ["make", "-C", "/tmp/rw", "-f", "/dev/null", "nothing"], 0x7fff947dcc50 /* 35 vars */) = 0
8021  brk(NULL)                         = 0x55ad88af3000
8021  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f85cbb7e000
8021  access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=35183, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 35183, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cbb75000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libdl.so.2", O_RDONLY|O_CLOEXEC) = 3
8021  read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"..., 832) = 832
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=14480, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 16400, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f85cbb70000
8021  mmap(0x7f85cbb71000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000) = 0x7f85cbb71000
8021  mmap(0x7f85cbb72000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000) = 0x7f85cbb72000
8021  mmap(0x7f85cbb73000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000) = 0x7f85cbb73000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3
8021  read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0"..., 832) = 832
8021  pread64(3, "\6\0\0\0\4\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"..., 784, 64) = 784
8021  newfstatat(3, "", {st_mode=S_IFREG|0755, st_size=1926232, ...}, AT_EMPTY_PATH) = 0
8021  pread64(3, "\6\0\0\0\4\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"..., 784, 64) = 784
8021  mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f85cb98e000
8021  mmap(0x7f85cb9b4000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f85cb9b4000
8021  mmap(0x7f85cbb0a000, 339968, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x17c000) = 0x7f85cbb0a000
8021  mmap(0x7f85cbb5d000, 24576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1cf000) = 0x7f85cbb5d000
8021  mmap(0x7f85cbb63000, 53072, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f85cbb63000
8021  close(3)                          = 0
8021  mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f85cb98b000
8021  arch_prctl(ARCH_SET_FS, 0x7f85cb98b740) = 0
8021  set_tid_address(0x7f85cb98ba10)   = 8021
8021  set_robust_list(0x7f85cb98ba20, 24) = 0
8021  rseq(0x7f85cb98c060, 0x20, 0, 0x53053053) = 0
8021  mprotect(0x7f85cbb5d000, 16384, PROT_READ) = 0
8021  mprotect(0x7f85cbb73000, 4096, PROT_READ) = 0
8021  mprotect(0x55ad563d0000, 4096, PROT_READ) = 0
8021  mprotect(0x7f85cbbb9000, 8192, PROT_READ) = 0
8021  prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0
8021  munmap(0x7f85cbb75000, 35183)     = 0
8021  getrandom("\x0c\xd8\x0f\x6d\x01\xec\x42\x16", 8, GRND_NONBLOCK) = 8
8021  brk(NULL)                         = 0x55ad88af3000
8021  brk(0x55ad88b14000)               = 0x55ad88b14000
8021  openat(AT_FDCWD, "/usr/lib/locale/locale-archive", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/share/locale/locale.alias", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=2996, ...}, AT_EMPTY_PATH) = 0
8021  read(3, "# Locale name alias data base.\n#"..., 4096) = 2996
8021  read(3, "", 4096)                 = 0
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_IDENTIFICATION", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_IDENTIFICATION", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=258, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 258, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cbb7d000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", O_RDONLY) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=27028, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 27028, PROT_READ, MAP_SHARED, 3, 0) = 0x7f85cbb76000
8021  close(3)                          = 0
8021  futex(0x7f85cbb62a4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MEASUREMENT", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MEASUREMENT", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=23, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 23, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cbb75000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_TELEPHONE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_TELEPHONE", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=47, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 47, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb98a000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_ADDRESS", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_ADDRESS", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=127, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 127, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb989000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_NAME", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_NAME", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=62, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 62, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb988000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_PAPER", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_PAPER", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=34, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 34, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb987000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MESSAGES", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MESSAGES", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=48, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 48, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb986000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MONETARY", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MONETARY", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=270, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 270, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb985000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_COLLATE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_COLLATE", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=1406, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 1406, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb984000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_TIME", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_TIME", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3360, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 3360, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb983000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_NUMERIC", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_NUMERIC", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=50, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 50, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb982000
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_CTYPE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_CTYPE", O_RDONLY|O_CLOEXEC) = 3
8021  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=353616, ...}, AT_EMPTY_PATH) = 0
8021  mmap(NULL, 353616, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f85cb92b000
8021  close(3)                          = 0
8021  rt_sigaction(SIGHUP, {sa_handler=0x55ad563a4600, sa_mask=[HUP], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGQUIT, {sa_handler=0x55ad563a4600, sa_mask=[QUIT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGINT, {sa_handler=0x55ad563a4600, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGTERM, {sa_handler=0x55ad563a4600, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGXCPU, {sa_handler=0x55ad563a4600, sa_mask=[XCPU], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGXFSZ, {sa_handler=0x55ad563a4600, sa_mask=[XFSZ], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  rt_sigaction(SIGCHLD, {sa_handler=SIG_DFL, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  fcntl(1, F_GETFL)                 = 0x8001 (flags O_WRONLY|O_LARGEFILE)
8021  fcntl(1, F_SETFL, O_WRONLY|O_APPEND|O_LARGEFILE) = 0
8021  fcntl(2, F_GETFL)                 = 0x8401 (flags O_WRONLY|O_APPEND|O_LARGEFILE)
8021  fcntl(2, F_SETFL, O_WRONLY|O_APPEND|O_LARGEFILE) = 0
8021  fcntl(1, F_GETFD)                 = 0
8021  getcwd("/work/wt-decoders", 4096) = 18
8021  ioctl(1, TCGETS, 0x7fffaf690f80)  = -1 ENOTTY (Inappropriate ioctl for device)
8021  ioctl(2, TCGETS, 0x7fffaf690f80)  = -1 ENOTTY (Inappropriate ioctl for device)
8021  chdir("/tmp/rw")                  = 0
8021  stat("/usr/gnu/include", 0x7fffaf690f40) = -1 ENOENT (No such file or directory)
8021  stat("/usr/local/include", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0
8021  stat("/usr/include", {st_mode=S_IFDIR|0755, st_size=12288, ...}) = 0
8021  stat("/usr/include", {st_mode=S_IFDIR|0755, st_size=12288, ...}) = 0
8021  getcwd("/tmp/rw", 4096)           = 8
8021  rt_sigaction(SIGCHLD, {sa_handler=0x55ad563afc20, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, 8) = 0
8021  rt_sigprocmask(SIG_SETMASK, [CHLD], NULL, 8) = 0
8021  rt_sigaction(SIGUSR1, {sa_handler=0x55ad563b2720, sa_mask=[USR1], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f85cb9ca050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8021  brk(0x55ad88b35000)               = 0x55ad88b35000
8021  openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3
8021  fcntl(3, F_GETFD)                 = 0
8021  fcntl(3, F_SETFD, FD_CLOEXEC)     = 0
8021  newfstatat(3, "", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0
8021  ioctl(3, TCGETS, 0x7fffaf690ab0)  = -1 ENOTTY (Inappropriate ioctl for device)
8021  read(3, "", 4096)                 = 0
8021  close(3)                          = 0
8021  stat("RCS", 0x7fffaf690ed0)       = -1 ENOENT (No such file or directory)
8021  stat("SCCS", 0x7fffaf690ed0)      = -1 ENOENT (No such file or directory)
8021  stat("/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0
8021  stat("/dev", {st_mode=S_IFDIR|0755, st_size=2200, ...}) = 0
8021  openat(AT_FDCWD, "/dev", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3
8021  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=2200, ...}, AT_EMPTY_PATH) = 0
8021  getdents64(3, 0x55ad88b1cdb0 /* 110 entries */, 32768) = 3296
8021  getdents64(3, 0x55ad88b1cdb0 /* 0 entries */, 32768) = 0
8021  close(3)                          = 0
8021  stat("/dev/RCS", 0x7fffaf68fc20)  = -1 ENOENT (No such file or directory)
8021  stat("/dev/SCCS", 0x7fffaf68fc20) = -1 ENOENT (No such file or directory)
8021  stat("nothing", 0x7fffaf68ece0)   = -1 ENOENT (No such file or directory)
8021  stat(".", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0
8021  openat(AT_FDCWD, ".", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3
8021  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0
8021  getdents64(3, 0x55ad88b25fa0 /* 13 entries */, 32768) = 384
8021  getdents64(3, 0x55ad88b25fa0 /* 0 entries */, 32768) = 0
8021  close(3)                          = 0
8021  openat(AT_FDCWD, "/usr/share/locale/C.UTF-8/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/share/locale/C.utf8/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8021  openat(AT_FDCWD, "/usr/share/locale/C/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8021  newfstatat(1, "", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0
8021  ioctl(1, TCGETS, 0x7fffaf690b50)  = -1 ENOTTY (Inappropriate ioctl for device)
8021  write(1, "make: Entering directory '/tmp/r"..., 35) = 35
8021  write(2, "make: *** No rule to make target"..., 51) = 51
8021  write(1, "make: Leaving directory '/tmp/rw"..., 34) = 34
8021  chdir("/work/wt-decoders")        = 0
8021  close(1)                          = 0
8021  exit_group(2)                     = ?
8021  +++ exited with 2 +++
