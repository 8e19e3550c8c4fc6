"""The file system edge: the one guarded reader every input goes through, the one writer every
output goes through, and the limits both apply.

Reading (``read_bytes``/``read_text``): regular files only. A FIFO, a device (``/dev/zero``), a
socket or a directory is refused with a located message before it is opened for reading, and
the file is opened non-blocking and checked again on the open descriptor, so nothing can make a
read wait forever. At most ``MAX_BYTES`` are read. The YAML readers add the node and depth
limits below (``lint.check_limits``); every reader uses this one set of limits.

Writing (``write_file``): see docs/reliability.md for the guarantees. In short:

* a regular file is replaced atomically: a temporary file in the same directory, created 0600
  (whatever the umask), written, fsynced, given the file's owner, group and mode, renamed over
  it; the temporary file is removed on every failure path;
* the backup (``NAME.bak``) is written the same way and is 0600 from its first byte;
* a character device or FIFO the operator named (``-o /dev/null``) is written into, never
  replaced; block devices, sockets and directories are refused;
* symlinks: a path the operator named is written through (the link stays a link); a path the
  tool chose itself (``workspace=`` given) is refused when a link takes it outside the
  workspace, and missing directories are created only inside the workspace;
* failures raise ``WriteError`` (an ``OSError``) that names the file.
"""

from __future__ import annotations

import errno as _errno
import hashlib
import os
import secrets as _secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from lsc_tui.config.findings import Finding, FindingError, Severity

# -- the limits every reader applies ---------------------------------------------------------

MAX_BYTES = 5 * 1024 * 1024  # real configs are a few kilobytes
MAX_NODES = 250_000  # YAML nodes after alias expansion (10,000-line configs have ~25,000)
MAX_DEPTH = 200  # YAML nesting levels

_KIND = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def kind_of(mode: int) -> str:
    for test, name in _KIND:
        if test(mode):
            return name
    return "not a regular file"


# -- reading ---------------------------------------------------------------------------------


class ReadRefused(FindingError):
    """An input that cannot be read as a config file (missing, a FIFO or a device, too large,
    binary, not UTF-8). Carries one located finding."""


def _refuse(display: str, code: str, message: str, fix: str, line: int = 0, col: int = 0) -> ReadRefused:
    return ReadRefused(Finding(display, line, col, Severity.ERROR, code, message, fix))


def _os_refusal(display: str, exc: OSError) -> ReadRefused:
    if isinstance(exc, FileNotFoundError):
        return _refuse(
            display,
            "file-not-found",
            "no such file",
            "Check the path; relative paths are taken from the current directory.",
        )
    if isinstance(exc, PermissionError):
        return _refuse(
            display,
            "file-permission",
            "permission denied (the file or a directory above it)",
            "Run as a user who can read it, or fix its permissions.",
        )
    if isinstance(exc, NotADirectoryError):
        return _refuse(display, "file-not-found", "a part of the path is not a directory", "Check the path.")
    return _refuse(display, "file-unreadable", f"cannot read: {exc.strerror or exc}", "Check the path.")


def _check_regular(display: str, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(
            display,
            "file-is-directory",
            "is a directory, not a file",
            "Give the path of the file itself, not of its directory (e.g. DIR/lightspeed-stack.yaml, DIR/run.yaml).",
        )
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(
            display,
            "file-not-regular",
            f"is {kind_of(st.st_mode)}, not a regular file; lsc-tui reads regular files only",
            "Give the path of the file itself (save a stream to a file first).",
        )
    if st.st_size > MAX_BYTES:
        raise _too_large(display, st.st_size)


def _too_large(display: str, size: int) -> ReadRefused:
    return _refuse(
        display,
        "file-too-large",
        f"is {size / 1048576:.1f} MB; lsc-tui reads files up to {MAX_BYTES // 1048576} MB",
        "Check that this is the file you meant; real configs are a few kilobytes.",
    )


def read_bytes(path: Path | str, display: str | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file (at most MAX_BYTES) and its stat. Never blocks: FIFOs and
    devices are refused before they are read. Raises ReadRefused."""
    display = display or str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_refusal(display, exc) from None
    _check_regular(display, st)  # refuse FIFOs and devices before opening them at all
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_refusal(display, exc) from None
    try:
        st = os.fstat(fd)
        _check_regular(display, st)  # the path may have been swapped since the stat above
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_BYTES:
                raise _too_large(display, total)
    except OSError as exc:
        raise _os_refusal(display, exc) from None
    finally:
        os.close(fd)
    return b"".join(chunks), st


def read_text(path: Path | str, display: str | None = None) -> tuple[str, os.stat_result]:
    """``read_bytes`` decoded as UTF-8 (a BOM is kept), with located errors for binary files."""
    display = display or str(path)
    raw, st = read_bytes(path, display)
    return decode(raw, display), st


# Byte order marks of the UTF-16 and UTF-32 encodings (the UTF-32 ones first: they begin like UTF-16 LE's)
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(raw: bytes, display: str) -> str:
    wide = next((name for bom, name in _WIDE_BOMS if raw.startswith(bom)), None)
    if wide is not None:  # a text file, in an encoding lsc-tui and the servers do not read
        raise _refuse(
            display,
            "file-encoding",
            f"is {wide} text (it starts with a {wide} byte order mark); lsc-tui and the servers read UTF-8",
            "Save the file as UTF-8 (in most editors: Save with Encoding, UTF-8).",
            1,
            1,
        )
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise _refuse(
            display,
            "file-binary",
            "contains NUL bytes: this is a binary file, not text",
            "Give the path of the text (YAML) file.",
            line,
            1,
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _refuse(
            display,
            "file-encoding",
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "Save the file as UTF-8 (YAML requires it).",
            line,
            col,
        ) from None


def read_optional_text(path: Path | str, display: str | None = None) -> str | None:
    """``read_text``, or None when the file does not exist."""
    try:
        return read_text(path, display)[0]
    except ReadRefused as exc:
        if exc.finding.code == "file-not-found":
            return None
        raise


# -- what a file was when read ----------------------------------------------------------------


@dataclass(frozen=True)
class FileStamp:
    """What a file was when we read it: enough to tell that it changed since."""

    sha256: str
    mtime_ns: int
    size: int

    @classmethod
    def of_bytes(cls, raw: bytes, st: os.stat_result | None) -> "FileStamp":
        return cls(
            hashlib.sha256(raw).hexdigest(),
            st.st_mtime_ns if st else 0,
            len(raw),
        )


def stamp_of(path: Path) -> FileStamp | None:
    """The file's stamp, or None when it does not exist. Goes through the guarded reader, so a
    FIFO or a device never blocks it; such a file (or an unreadable one) gets a stamp that
    matches no content, and any write to it is then refused as a change on disk."""
    try:
        raw, st = read_bytes(path)
    except ReadRefused as exc:
        if exc.finding.code == "file-not-found":
            return None
        return FileStamp(f"unreadable:{exc.finding.code}", 0, 0)
    return FileStamp.of_bytes(raw, st)


# -- writing ---------------------------------------------------------------------------------


class WriteError(OSError):
    """A file was not written. ``filename`` names it; ``str()`` says why and what to do."""

    def __init__(
        self, path: Path | str, reason: str, fix: str = "", code: int | None = 0, written: tuple[Path | str, ...] = ()
    ):
        super().__init__(code or _errno.EPERM, reason, str(path))
        self.reason = reason
        self.fix = fix
        self.written = tuple(written)  # files an operation had written before this one failed

    def __str__(self) -> str:
        text = f"{self.filename}: cannot write: {self.reason}"
        if self.written:
            text += "; already written: " + ", ".join(str(p) for p in self.written)
        return text + (f". {self.fix}" if self.fix else "")


@dataclass
class Written:
    """What one write did: the file written (a link's target), its backup, and notes the
    operator should read (owner not kept, a hard link broken, a device written into)."""

    path: Path
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    special: bool = False  # a character device or FIFO, written into


@dataclass(frozen=True)
class Target:
    """Where a write will land, decided before anything is written."""

    path: Path  # as given
    real: Path  # the file that will change (a symlink's target)
    st: os.stat_result | None  # the existing file (following links), or None
    special: bool  # a character device or FIFO: written into, not replaced
    missing_dirs: tuple[Path, ...]  # directories to create first


def _inside(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


def _missing_dirs(directory: Path) -> list[Path]:
    out = []
    d = directory
    while not os.path.lexists(d):
        out.append(d)
        if d.parent == d:
            break
        d = d.parent
    return list(reversed(out))


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name one file, however each is written (``./run.yaml``, a symlink, a hard
    link); a path that does not exist yet is the same file as another only by its resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def resolve_target(path: Path | str, *, workspace: Path | str | None = None) -> Target:
    """Decide where a write lands, or raise WriteError. Writes nothing.

    ``workspace`` None: the operator named ``path``; a symlink is written through, missing
    directories are created. ``workspace`` given: the tool chose the path; a symlink leading
    outside the workspace is refused, and so are missing directories outside it."""
    lex = Path(os.path.abspath(path))
    try:
        lst = os.lstat(lex)
    except FileNotFoundError:
        lst = None
    except OSError as exc:
        raise WriteError(lex, exc.strerror or str(exc), "Check the path and its permissions.", exc.errno) from None
    real = Path(os.path.realpath(lex))
    linked = lst is not None and stat.S_ISLNK(lst.st_mode)
    if workspace is not None:
        ws = Path(os.path.realpath(workspace))
        if real != lex and not _inside(real, ws):
            raise WriteError(
                lex,
                f"it leads through a symlink to {real}, outside the workspace {ws}; lsc-tui "
                "does not create or replace files through a link that leaves the workspace",
                "Remove the link (or make it point inside the workspace), or name the file "
                "explicitly on the command line.",
                _errno.ELOOP,
            )
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(lex, exc.strerror or str(exc), "Check the path and its permissions.", exc.errno) from None
    special = False
    if st is not None:
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise WriteError(lex, "it is a directory", "Give the path of a file.", _errno.EISDIR)
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            if workspace is not None:
                raise WriteError(
                    lex,
                    f"it is {kind_of(mode)}, not a regular file; lsc-tui only writes into "
                    "special files the operator names",
                    "Remove it, or name it explicitly on the command line.",
                    _errno.EPERM,
                )
            special = True
        elif not stat.S_ISREG(mode):
            raise WriteError(
                lex,
                f"it is {kind_of(mode)}; lsc-tui writes regular files, character devices and FIFOs only",
                "Give the path of a regular file.",
                _errno.EPERM,
            )
        elif not os.access(real, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            # replacing it by a rename would succeed in a writable directory: respect the file's own mode
            raise WriteError(
                lex,
                f"it is read-only for you (mode {stat.S_IMODE(mode):04o}, owner uid {st.st_uid})",
                "Make it writable first (chmod u+w), or write somewhere else.",
                _errno.EACCES,
            )
    missing: tuple[Path, ...] = ()
    if st is None:
        missing = tuple(_missing_dirs(real.parent))
        if missing:
            if linked:
                raise WriteError(
                    lex,
                    f"it is a symlink to {real}, whose directory does not exist; lsc-tui "
                    "does not create directories for a link's target",
                    "Create the directory yourself, or remove the link.",
                    _errno.ENOENT,
                )
            if workspace is not None and not all(_inside(d, Path(os.path.realpath(workspace))) for d in missing):
                raise WriteError(
                    lex,
                    f"its directory {missing[0]} does not exist and lies outside the workspace; "
                    "lsc-tui creates missing directories only inside the workspace",
                    "Create the directory yourself.",
                    _errno.ENOENT,
                )
    return Target(Path(path), real, st, special, missing)


def write_file(
    path: Path | str,
    data: bytes | str,
    *,
    mode: int | None = None,
    backup: bool = False,
    workspace: Path | str | None = None,
    target: Target | None = None,
) -> Written:
    """Write ``data`` to ``path`` (see the module docstring). ``mode``: the new file's
    permission bits (default: the existing file's, 0600 for a new one). ``backup``: keep the
    existing file as ``NAME.bak`` (0600). ``target``: a ``resolve_target`` result made earlier
    (so a multi-file operation checks every file before writing any)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    t = target or resolve_target(path, workspace=workspace)
    if t.special:
        return _write_into(t, raw)
    for d in t.missing_dirs:
        try:
            os.mkdir(d)
        except FileExistsError:
            pass  # made meanwhile (by another writer): what is needed is that it exists
        except OSError as exc:
            raise WriteError(
                d,
                f"cannot create the directory: {exc.strerror or exc}",
                "Check that the directory above it exists and is writable.",
                exc.errno,
            ) from None
    st = t.st
    notes: list[str] = []
    owner = (st.st_uid, st.st_gid) if st is not None else None
    if st is not None and st.st_nlink > 1:
        notes.append(
            f"{t.real} had {st.st_nlink} hard links: lsc-tui replaced it with a new file, so the "
            f"other {st.st_nlink - 1} link(s) still show the old content"
        )
    backup_file = None
    if backup and st is not None:
        backup_file = t.real.with_name(t.real.name + ".bak")
        try:
            original, _st = read_bytes(t.real)
        except ReadRefused as exc:
            raise WriteError(
                t.real, f"cannot read it to make the backup: {exc.finding.message}", exc.finding.fix, _errno.EIO
            ) from None
        _check_backup_slot(backup_file)
        notes.extend(_replace(backup_file, original, 0o600, owner))
    mode = stat.S_IMODE(st.st_mode) if (mode is None and st is not None) else (0o600 if mode is None else mode)
    notes.extend(_replace(t.real, raw, mode, owner))
    return Written(t.real, backup_file, notes)


def _check_backup_slot(backup_file: Path) -> None:
    try:
        bst = os.lstat(backup_file)
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(bst.st_mode) or stat.S_ISLNK(bst.st_mode)):  # a link there is replaced, not followed
        raise WriteError(
            backup_file,
            f"the backup's place is taken by {kind_of(bst.st_mode)}",
            "Move it away so that the backup can be written.",
            _errno.EEXIST,
        )


def _write_into(t: Target, raw: bytes) -> Written:
    """Write into a character device or FIFO the operator named; it stays what it is."""
    try:
        fd = os.open(t.real, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == _errno.ENXIO:
            raise WriteError(
                t.path,
                "it is a FIFO and no process is reading it",
                "Start the reader first, or write to a regular file.",
                exc.errno,
            ) from None
        raise WriteError(t.path, exc.strerror or str(exc), "", exc.errno) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(raw)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as exc:
        raise WriteError(t.path, exc.strerror or str(exc), "", exc.errno) from None
    finally:
        os.close(fd)
    kind = kind_of(t.st.st_mode) if t.st is not None else "a special file"
    return Written(t.real, None, [f"{t.path} is {kind}: lsc-tui wrote into it (it was not replaced)"], special=True)


def _replace(target: Path, raw: bytes, mode: int, owner: tuple[int, int] | None) -> list[str]:
    """Atomically replace ``target`` with ``raw``. The temporary file is 0600 until the data is
    on disk, then gets ``owner`` and ``mode`` and is renamed; it is removed on any failure."""
    notes: list[str] = []
    directory = target.parent
    tmp = directory / f".{target.name}.{_secrets.token_hex(4)}.lsc-tui.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise _named(exc, target) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask, before the first byte
            fh = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
            if owner is not None and (owner[0] != os.geteuid() or owner[1] != os.getegid()):
                notes.extend(_keep_owner(fh.fileno(), target, owner))
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass  # the temporary file was never made, or was already renamed into place
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise _named(exc, target) from None
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    return notes


def _keep_owner(fd: int, target: Path, owner: tuple[int, int]) -> list[str]:
    uid, gid = owner
    try:
        os.fchown(fd, uid, gid)
        return []
    except PermissionError:
        pass  # only root gives a file to another user: keep at least the group, and say so below
    try:  # not root: at least the group, where we belong to it
        os.fchown(fd, -1, gid)
        group_kept = True
    except PermissionError:
        group_kept = False
    lost = "owner" if group_kept else "owner and group"
    return [
        f"{target}: could not keep its {lost} (uid {uid}, gid {gid}): only root can give a file to "
        f"another user; it now belongs to uid {os.geteuid()}. Run `chown {uid}:{gid} {target}` as root"
    ]


def _named(exc: OSError, target: Path) -> WriteError:
    reason = exc.strerror or str(exc)
    fix = {
        _errno.ENOSPC: "Free some space on that file system and run again; the file is unchanged.",
        _errno.EDQUOT: "Free some space (your quota is full) and run again; the file is unchanged.",
        _errno.EACCES: "Check that you may write to its directory; the file is unchanged.",
        _errno.EPERM: "Check that you may write to its directory; the file is unchanged.",
        _errno.EROFS: "The file system is read-only; write somewhere else.",
    }.get(
        exc.errno or 0,
        "Check the path: its directory must exist (or be one lsc-tui can create) and take files; the file is unchanged.",
    )
    return WriteError(target, reason, fix, exc.errno or _errno.EIO)


def write_error_text(exc: OSError, path: Path | str | None = None) -> str:
    """A failed write as the commands print it: located, naming the file, with a fix."""
    if isinstance(exc, WriteError):
        text = f"{exc.filename}:0:0: error: cannot write: {exc.reason}"
        if exc.written:
            text += "; already written: " + ", ".join(str(p) for p in exc.written)
        return text + (f"\n    fix: {exc.fix}" if exc.fix else "")
    where = exc.filename or path
    return (
        f"{where}:0:0: error: cannot write: {exc.strerror or exc}\n"
        "    fix: Check that the directory exists and is writable; the file is unchanged."
    )
