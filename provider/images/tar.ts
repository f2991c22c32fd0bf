/**
 * A small tar index: reads only the 512-byte headers (ustar, pax extended headers, GNU long names)
 * and records where each member's bytes lie in the file, so that a blob inside an OCI archive or
 * a `docker save` tarball streams straight from its byte range, and nothing is extracted.
 */
import * as fs from "node:fs";
import { initError } from "../errors";

const BLOCK = 512;

/** One member of a tar file. */
export interface TarMember {
    name: string;
    /** "file", "dir", "symlink", "hardlink" or "other". */
    type: "file" | "dir" | "symlink" | "hardlink" | "other";
    /** Where the member's bytes start in the tar file. */
    offset: number;
    size: number;
    /** Target of a link, as written in the archive. */
    linkName?: string;
}

/** A tar file that is not well formed; the message names the file and the offset. */
export class TarError extends Error {
    constructor(file: string, offset: number, problem: string) {
        const message = `${file}: not a valid tar archive at byte ${offset}: ${problem}`;
        super(message);
        initError(this, "TarError", message);
    }
}

/** Strips "./" and leading "/" so members are looked up by their plain relative path. */
export function normalizeMemberName(name: string): string {
    let n = name.replace(/\\/g, "/");
    while (n.startsWith("./")) n = n.slice(2);
    n = n.replace(/^\/+/, "").replace(/\/+$/, "");
    return n;
}

function cString(buf: Buffer, start: number, length: number): string {
    const slice = buf.subarray(start, start + length);
    const end = slice.indexOf(0);
    return slice.subarray(0, end < 0 ? slice.length : end).toString("utf8");
}

/** Octal (NUL/space terminated) or GNU base-256 for sizes above 8 GiB. */
function numeric(buf: Buffer, start: number, length: number): number {
    const field = buf.subarray(start, start + length);
    if (field[0] & 0x80) {
        let n = field[0] & 0x7f;
        for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
        return n;
    }
    const text = field
        .toString("latin1")
        .replace(/[\0 ]+$/g, "")
        .trim();
    if (text === "") return 0;
    if (!/^[0-7]+$/.test(text)) return NaN;
    return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
    const stored = numeric(header, 148, 8);
    let unsigned = 0;
    for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : header[i];
    return stored === unsigned;
}

/** pax records: "<len> <key>=<value>\n". */
function parsePax(data: Buffer): Record<string, string> {
    const out: Record<string, string> = {};
    let pos = 0;
    while (pos < data.length) {
        const space = data.indexOf(0x20, pos);
        if (space < 0) break;
        const len = parseInt(data.subarray(pos, space).toString("latin1"), 10);
        if (!Number.isFinite(len) || len <= 0) break;
        const record = data.subarray(space + 1, pos + len - 1).toString("utf8");
        const eq = record.indexOf("=");
        if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
        pos += len;
    }
    return out;
}

/** Reads every header of `file` and returns its members by normalized name (the last one wins, as tar does). */
export async function indexTar(file: string): Promise<Map<string, TarMember>> {
    const fh = await fs.promises.open(file, "r");
    try {
        const { size: fileSize } = await fh.stat();
        const members = new Map<string, TarMember>();
        const header = Buffer.alloc(BLOCK);
        let pos = 0;
        let longName: string | undefined;
        let longLink: string | undefined;
        let pax: Record<string, string> = {};
        let sawEnd = false;
        const readAt = async (buf: Buffer, at: number) => {
            const { bytesRead } = await fh.read(buf, 0, buf.length, at);
            if (bytesRead !== buf.length) throw new TarError(file, at, "the archive ends in the middle of a member (truncated?)");
        };
        while (pos + BLOCK <= fileSize) {
            await readAt(header, pos);
            if (header.every((b) => b === 0)) {
                sawEnd = true;
                break;
            }
            if (!checksumOk(header)) throw new TarError(file, pos, "header checksum mismatch (corrupt or not a tar file)");
            const magic = header.subarray(257, 262).toString("latin1");
            const typeflag = String.fromCharCode(header[156] || 0x30);
            let size = numeric(header, 124, 12);
            if (!Number.isFinite(size) || size < 0) throw new TarError(file, pos, "invalid size field");
            if (pax.size !== undefined) size = Number(pax.size);
            const dataStart = pos + BLOCK;
            if (dataStart + size > fileSize) throw new TarError(file, pos, "the archive ends in the middle of a member (truncated?)");
            const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;

            if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
                if (size > 1024 * 1024) throw new TarError(file, pos, "extended header larger than 1 MiB");
                const data = Buffer.alloc(size);
                if (size) await readAt(data, dataStart);
                if (typeflag === "x") pax = parsePax(data);
                else if (typeflag === "L") longName = cString(data, 0, data.length);
                else if (typeflag === "K") longLink = cString(data, 0, data.length);
                // "g" (global pax header) carries nothing this reader needs.
                pos = next;
                continue;
            }

            let name = cString(header, 0, 100);
            if (magic === "ustar") {
                const prefix = cString(header, 345, 155);
                if (prefix) name = `${prefix}/${name}`;
            }
            if (longName !== undefined) name = longName;
            if (pax.path !== undefined) name = pax.path;
            let linkName = cString(header, 157, 100);
            if (longLink !== undefined) linkName = longLink;
            if (pax.linkpath !== undefined) linkName = pax.linkpath;

            const type: TarMember["type"] =
                typeflag === "0" || typeflag === "\0" || typeflag === "7"
                    ? "file"
                    : typeflag === "5"
                      ? "dir"
                      : typeflag === "2"
                        ? "symlink"
                        : typeflag === "1"
                          ? "hardlink"
                          : "other";
            const member: TarMember = { name: normalizeMemberName(name), type, offset: dataStart, size: type === "file" ? size : 0 };
            if (type === "symlink" || type === "hardlink") member.linkName = linkName;
            members.set(member.name, member);
            longName = undefined;
            longLink = undefined;
            pax = {};
            pos = next;
        }
        if (!sawEnd && pos !== fileSize) throw new TarError(file, pos, "trailing bytes that are not a tar header");
        if (members.size === 0) throw new TarError(file, 0, "no members (empty or not a tar file)");
        return members;
    } finally {
        await fh.close();
    }
}

/**
 * Follows symlinks and hard links inside the archive (`docker save` links repeated layers) to the
 * regular file they name; undefined when there is none.
 */
export function resolveMember(members: Map<string, TarMember>, name: string): TarMember | undefined {
    let current = members.get(normalizeMemberName(name));
    for (let hops = 0; current && hops < 32; hops++) {
        if (current.type === "file") return current;
        if (current.type !== "symlink" && current.type !== "hardlink") return undefined;
        const link = current.linkName ?? "";
        let target: string;
        if (current.type === "hardlink" || link.startsWith("/")) {
            target = normalizeMemberName(link);
        } else {
            const parts = current.name.split("/").slice(0, -1);
            for (const p of link.split("/")) {
                if (p === "..") parts.pop();
                else if (p !== "." && p !== "") parts.push(p);
            }
            target = parts.join("/");
        }
        current = members.get(target);
    }
    return undefined;
}
