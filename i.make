8023  execve("/usr/bin/make", ["make", "-C", "/tmp/rw", "-f", "/dev/null", "nothing"], 0x7ffca8019338 /* 35 vars */) = 0
8023  brk(NULL)                         = 0x556d7370c000
8023  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f26c3d0a000
8023  access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=35183, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 35183, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3d01000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libdl.so.2", O_RDONLY|O_CLOEXEC) = 3
8023  read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"..., 832) = 832
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=14480, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 16400, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f26c3cfc000
8023  mmap(0x7f26c3cfd000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000) = 0x7f26c3cfd000
8023  mmap(0x7f26c3cfe000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000) = 0x7f26c3cfe000
8023  mmap(0x7f26c3cff000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000) = 0x7f26c3cff000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3
8023  read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0"..., 832) = 832
8023  pread64(3, "\6\0\0\0\4\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"..., 784, 64) = 784
8023  newfstatat(3, "", {st_mode=S_IFREG|0755, st_size=1926232, ...}, AT_EMPTY_PATH) = 0
8023  pread64(3, "\6\0\0\0\4\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"..., 784, 64) = 784
8023  mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f26c3b1a000
8023  mmap(0x7f26c3b40000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f26c3b40000
8023  mmap(0x7f26c3c96000, 339968, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x17c000) = 0x7f26c3c96000
8023  mmap(0x7f26c3ce9000, 24576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1cf000) = 0x7f26c3ce9000
8023  mmap(0x7f26c3cef000, 53072, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f26c3cef000
8023  close(3)                          = 0
8023  mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f26c3b17000
8023  arch_prctl(ARCH_SET_FS, 0x7f26c3b17740) = 0
8023  set_tid_address(0x7f26c3b17a10)   = 8023
8023  set_robust_list(0x7f26c3b17a20, 24) = 0
8023  rseq(0x7f26c3b18060, 0x20, 0, 0x53053053) = 0
8023  mprotect(0x7f26c3ce9000, 16384, PROT_READ) = 0
8023  mprotect(0x7f26c3cff000, 4096, PROT_READ) = 0
8023  mprotect(0x556d6c20d000, 4096, PROT_READ) = 0
8023  mprotect(0x7f26c3d45000, 8192, PROT_READ) = 0
8023  prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0
8023  munmap(0x7f26c3d01000, 35183)     = 0
8023  getrandom("\313O\220\216;\221 \256", 8, GRND_NONBLOCK) = 8
8023  brk(NULL)                         = 0x556d7370c000
8023  brk(0x556d7372d000)               = 0x556d7372d000
8023  openat(AT_FDCWD, "/usr/lib/locale/locale-archive", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/share/locale/locale.alias", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=2996, ...}, AT_EMPTY_PATH) = 0
8023  read(3, "# Locale name alias data base.\n#"..., 4096) = 2996
8023  read(3, "", 4096)                 = 0
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_IDENTIFICATION", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_IDENTIFICATION", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=258, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 258, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3d09000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", O_RDONLY) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=27028, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 27028, PROT_READ, MAP_SHARED, 3, 0) = 0x7f26c3d02000
8023  close(3)                          = 0
8023  futex(0x7f26c3ceea4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MEASUREMENT", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MEASUREMENT", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=23, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 23, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3d01000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_TELEPHONE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_TELEPHONE", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=47, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 47, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b16000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_ADDRESS", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_ADDRESS", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=127, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 127, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b15000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_NAME", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_NAME", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=62, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 62, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b14000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_PAPER", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_PAPER", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=34, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 34, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b13000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MESSAGES", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MESSAGES", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=48, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 48, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b12000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_MONETARY", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_MONETARY", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=270, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 270, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b11000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_COLLATE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_COLLATE", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=1406, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 1406, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b10000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_TIME", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_TIME", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3360, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 3360, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b0f000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_NUMERIC", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_NUMERIC", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=50, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 50, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3b0e000
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/lib/locale/C.UTF-8/LC_CTYPE", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/lib/locale/C.utf8/LC_CTYPE", O_RDONLY|O_CLOEXEC) = 3
8023  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=353616, ...}, AT_EMPTY_PATH) = 0
8023  mmap(NULL, 353616, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f26c3ab7000
8023  close(3)                          = 0
8023  rt_sigaction(SIGHUP, {sa_handler=0x556d6c1e1600, sa_mask=[HUP], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGQUIT, {sa_handler=0x556d6c1e1600, sa_mask=[QUIT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGINT, {sa_handler=0x556d6c1e1600, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGTERM, {sa_handler=0x556d6c1e1600, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGXCPU, {sa_handler=0x556d6c1e1600, sa_mask=[XCPU], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGXFSZ, {sa_handler=0x556d6c1e1600, sa_mask=[XFSZ], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  rt_sigaction(SIGCHLD, {sa_handler=SIG_DFL, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  fcntl(1, F_GETFL)                 = 0x8001 (flags O_WRONLY|O_LARGEFILE)
8023  fcntl(1, F_SETFL, O_WRONLY|O_APPEND|O_LARGEFILE) = 0
8023  fcntl(2, F_GETFL)                 = 0x8401 (flags O_WRONLY|O_APPEND|O_LARGEFILE)
8023  fcntl(2, F_SETFL, O_WRONLY|O_APPEND|O_LARGEFILE) = 0
8023  fcntl(1, F_GETFD)                 = 0
8023  getcwd("/work/wt-decoders\0", 4096) = 18
8023  ioctl(1, TCGETS, 0x7fff5fa63e40)  = -1 ENOTTY (Inappropriate ioctl for device)
8023  ioctl(2, TCGETS, 0x7fff5fa63e40)  = -1 ENOTTY (Inappropriate ioctl for device)
8023  chdir("/tmp/rw")                  = 0
8023  stat("/usr/gnu/include", 0x7fff5fa63e00) = -1 ENOENT (No such file or directory)
8023  stat("/usr/local/include", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0
8023  stat("/usr/include", {st_mode=S_IFDIR|0755, st_size=12288, ...}) = 0
8023  stat("/usr/include", {st_mode=S_IFDIR|0755, st_size=12288, ...}) = 0
8023  getcwd("/tmp/rw\0", 4096)         = 8
8023  rt_sigaction(SIGCHLD, {sa_handler=0x556d6c1ecc20, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, 8) = 0
8023  rt_sigprocmask(SIG_SETMASK, [CHLD], NULL, 8) = 0
8023  rt_sigaction(SIGUSR1, {sa_handler=0x556d6c1ef720, sa_mask=[USR1], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f26c3b56050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
8023  brk(0x556d7374e000)               = 0x556d7374e000
8023  openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3
8023  fcntl(3, F_GETFD)                 = 0
8023  fcntl(3, F_SETFD, FD_CLOEXEC)     = 0
8023  newfstatat(3, "", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0
8023  ioctl(3, TCGETS, 0x7fff5fa63970)  = -1 ENOTTY (Inappropriate ioctl for device)
8023  read(3, "", 4096)                 = 0
8023  close(3)                          = 0
8023  stat("RCS", 0x7fff5fa63d90)       = -1 ENOENT (No such file or directory)
8023  stat("SCCS", 0x7fff5fa63d90)      = -1 ENOENT (No such file or directory)
8023  stat("/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0
8023  stat("/dev", {st_mode=S_IFDIR|0755, st_size=2200, ...}) = 0
8023  openat(AT_FDCWD, "/dev", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3
8023  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=2200, ...}, AT_EMPTY_PATH) = 0
8023  getdents64(3, 0x556d73735dd0, 32768) = 3296
8023  getdents64(3, 0x556d73735dd0, 32768) = 0
8023  close(3)                          = 0
8023  stat("/dev/RCS", 0x7fff5fa62ae0)  = -1 ENOENT (No such file or directory)
8023  stat("/dev/SCCS", 0x7fff5fa62ae0) = -1 ENOENT (No such file or directory)
8023  stat("nothing", 0x7fff5fa61ba0)   = -1 ENOENT (No such file or directory)
8023  stat(".", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0
8023  openat(AT_FDCWD, ".", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3
8023  newfstatat(3, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0
8023  getdents64(3, 0x556d7373efc0, 32768) = 384
8023  getdents64(3, 0x556d7373efc0, 32768) = 0
8023  close(3)                          = 0
8023  openat(AT_FDCWD, "/usr/share/locale/C.UTF-8/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/share/locale/C.utf8/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8023  openat(AT_FDCWD, "/usr/share/locale/C/LC_MESSAGES/make.mo", O_RDONLY) = -1 ENOENT (No such file or directory)
8023  newfstatat(1, "", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0
8023  ioctl(1, TCGETS, 0x7fff5fa63a10)  = -1 ENOTTY (Inappropriate ioctl for device)
8023  write(1, "make: Entering directory '/tmp/r"..., 35) = 35
8023  write(2, "make: *** No rule to make target"..., 51) = 51
8023  write(1, "make: Leaving directory '/tmp/rw"..., 34) = 34
8023  chdir("/work/wt-decoders")        = 0
8023  close(1)                          = 0
8023  exit_group(2)                     = ?
8023  +++ exited with 2 +++
