#!/usr/bin/env python3
"""Copies shared libraries under new sonames, so that two builds of one
library (which share a soname: libcrypto.so.0, libcrypto.so.3) can be loaded
side by side in one process.

The dynamic loader takes a DT_NEEDED name that matches the soname of an
object already loaded as that object, whatever path the second plugin's
RPATH names. So each copy gets a soname of its own, and every DT_NEEDED
between the copies (libssl -> libcrypto) is renamed with it; a plugin linked
against the copies then needs the new names only.

The strings are edited in place in .dynstr, so a new name is no longer than
the old one: it is the old name's stem (up to ".so") and a hex tag taken from
the backend's name, e.g. libcrypto.so.0 -> libcrypto.3f2a. A DT_RUNPATH or
DT_RPATH is dropped: it names the originals' directory (Debian's BoringSSL
libssl has /usr/lib/<multiarch>/android), and the copies are found by the
plugin's own RPATH.

  elf_rename.py --name NAME --out DIR [--dry-run] LIB...

prints one line per LIB: the path of its copy (with --dry-run, the path it
would have, and nothing is written). ELF64 little-endian only.
"""

import argparse
import hashlib
import os
import struct
import sys

DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RPATH, DT_RUNPATH = (
    0, 1, 5, 10, 14, 15, 29)
PT_LOAD, PT_DYNAMIC = 1, 2
SHT_DYNSYM, SHT_GNU_VERDEF, SHT_GNU_VERNEED = 11, 0x6FFFFFFD, 0x6FFFFFFE


class ElfError(Exception):
    pass


class Elf:
    def __init__(self, data, path):
        self.data = bytearray(data)
        self.path = path
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ElfError(f"{path}: not an ELF64 little-endian file")
        (self.phoff, self.shoff) = struct.unpack_from("<QQ", data, 0x20)
        (self.phentsize, self.phnum, self.shentsize, self.shnum) = struct.unpack_from(
            "<HHHH", data, 0x36)
        self.loads = []
        dynamic = None
        for i in range(self.phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
                "<IIQQQQ", data, self.phoff + i * self.phentsize)
            if p_type == PT_LOAD:
                self.loads.append((p_vaddr, p_offset, p_filesz))
            elif p_type == PT_DYNAMIC:
                dynamic = (p_offset, p_filesz)
        if dynamic is None:
            raise ElfError(f"{path}: no dynamic section (not a shared library)")
        self.dyn = []  # (file offset of the entry, tag, value)
        self.dynamic_offset = dynamic[0]
        off, end = dynamic[0], dynamic[0] + dynamic[1]
        while off + 16 <= end:
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == DT_NULL:
                break
            self.dyn.append((off, tag, val))
            off += 16
        strtab = [v for _, t, v in self.dyn if t == DT_STRTAB]
        strsz = [v for _, t, v in self.dyn if t == DT_STRSZ]
        if not strtab or not strsz:
            raise ElfError(f"{path}: no dynamic string table")
        self.strtab = self.file_offset(strtab[0])
        self.strsz = strsz[0]

    def file_offset(self, vaddr):
        for p_vaddr, p_offset, p_filesz in self.loads:
            if p_vaddr <= vaddr < p_vaddr + p_filesz:
                return vaddr - p_vaddr + p_offset
        raise ElfError(f"{self.path}: address {vaddr:#x} is in no loaded segment")

    def string(self, index):
        start = self.strtab + index
        end = self.data.index(b"\0", start)
        return self.data[start:end].decode()

    def entries(self, tag):
        return [v for _, t, v in self.dyn if t == tag]

    def string_refs(self):
        """Every .dynstr index the file refers to: the dynamic entries, the
        dynamic symbols' names and the symbol versions' names."""
        refs = set(v for _, t, v in self.dyn
                   if t in (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH))
        for i in range(self.shnum):
            (_, sh_type, _, _, sh_offset, sh_size, _, sh_info, _, sh_entsize) = \
                struct.unpack_from("<IIQQQQIIQQ", self.data, self.shoff + i * self.shentsize)
            if sh_type == SHT_DYNSYM and sh_entsize:
                for off in range(sh_offset, sh_offset + sh_size, sh_entsize):
                    refs.add(struct.unpack_from("<I", self.data, off)[0])
            elif sh_type == SHT_GNU_VERNEED:
                off = sh_offset
                for _ in range(sh_info):
                    _, cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", self.data, off)
                    refs.add(vn_file)
                    aux = off + vn_aux
                    for _ in range(cnt):
                        _, _, _, vna_name, vna_next = struct.unpack_from("<IHHII", self.data, aux)
                        refs.add(vna_name)
                        aux += vna_next
                    off += vn_next
            elif sh_type == SHT_GNU_VERDEF:
                off = sh_offset
                for _ in range(sh_info):
                    _, _, _, cnt, _, vd_aux, vd_next = struct.unpack_from("<HHHHIII", self.data, off)
                    aux = off + vd_aux
                    for _ in range(cnt):
                        vda_name, vda_next = struct.unpack_from("<II", self.data, aux)
                        refs.add(vda_name)
                        aux += vda_next
                    off += vd_next
        return refs

    def replace(self, index, new, refs):
        """Overwrites the string at index with new (no longer), NUL-padded.
        A reference into the middle of the old string (a shared tail) would
        change meaning, so it is refused."""
        old = self.string(index)
        if len(new.encode()) > len(old.encode()):
            raise ElfError(f"{self.path}: '{new}' is longer than '{old}'")
        inside = [r for r in refs if index < r <= index + len(old)]
        if inside:
            raise ElfError(f"{self.path}: another name shares the bytes of '{old}'")
        start = self.strtab + index
        self.data[start:start + len(old)] = new.encode().ljust(len(old), b"\0")


    def drop(self, tags):
        """Removes the dynamic entries with these tags: the rest move up and
        DT_NULL fills the slots left at the end."""
        kept = [(t, v) for _, t, v in self.dyn if t not in tags]
        off = self.dynamic_offset
        for tag, val in kept + [(DT_NULL, 0)] * (len(self.dyn) - len(kept)):
            struct.pack_into("<qQ", self.data, off, tag, val)
            off += 16


def new_soname(soname, name):
    stem = soname.split(".so", 1)[0]
    room = len(soname) - len(stem) - 1
    if room < 2:
        raise ElfError(f"soname '{soname}' leaves no room for a tag")
    return f"{stem}.{hashlib.sha256(name.encode()).hexdigest()[:room]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", required=True, help="the backend's name (the tag's source)")
    parser.add_argument("--out", required=True, help="directory for the copies")
    parser.add_argument("--dry-run", action="store_true", help="print the paths, write nothing")
    parser.add_argument("libs", nargs="+", help="shared libraries (their real files)")
    args = parser.parse_args()
    try:
        elves = []
        for lib in args.libs:
            with open(lib, "rb") as f:
                elf = Elf(f.read(), lib)
            sonames = elf.entries(DT_SONAME)
            if not sonames:
                raise ElfError(f"{lib}: no soname")
            elves.append((elf, sonames[0], elf.string(sonames[0])))
        renames = {old: new_soname(old, args.name) for _, _, old in elves}
        if len(set(renames.values())) != len(renames):
            raise ElfError("two of the libraries would get the same soname")
        if args.dry_run:
            for _, _, old in elves:
                print(os.path.join(args.out, renames[old]))
            return 0
        os.makedirs(args.out, exist_ok=True)
        for elf, _, old in elves:
            refs = elf.string_refs()
            done = set()
            for _, tag, index in elf.dyn:
                if index in done:
                    continue
                if tag in (DT_SONAME, DT_NEEDED) and elf.string(index) in renames:
                    elf.replace(index, renames[elf.string(index)], refs)
                    done.add(index)
            elf.drop((DT_RPATH, DT_RUNPATH))
            path = os.path.join(args.out, renames[old])
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(elf.data)
            os.chmod(tmp, 0o755)
            os.replace(tmp, path)
            print(path)
    except (ElfError, OSError, ValueError, struct.error) as e:
        print(f"elf_rename: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
