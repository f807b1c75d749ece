import CZlib
import Dispatch
import Synchronization

/// A body compressed as independent zlib streams ("frames") of a fixed raw size, so it can be inflated
/// on every core at once: the payload of snapshot format 2 (see ``SnapshotFile``).
///
/// Layout: frame count F (UInt32), then F × (raw size, compressed size) as UInt32 pairs, then the F zlib
/// streams back to back. Every raw size but the last is the writer's frame size; none is 0.
extension Zlib {
    /// Raw bytes per frame: 130 MB of state make 16 frames, enough for any core count we run on.
    public static let defaultFrameSize = 8 << 20

    /// Compresses `body` frame by frame, on the calling thread (snapshots are written off the request path).
    public static func compressFrames(_ body: [UInt8], level: Int32, frameSize: Int = defaultFrameSize) throws -> [UInt8] {
        precondition(frameSize > 0 && frameSize <= Int(UInt32.max))
        var frames: [(raw: Int, compressed: [UInt8])] = []
        var offset = 0
        repeat {
            let end = min(body.count, offset + frameSize)
            frames.append((end - offset, try compress(Array(body[offset..<end]), level: level)))
            offset = end
        } while offset < body.count
        var writer = ByteWriter(capacity: 4 + frames.count * 8 + frames.reduce(0) { $0 + $1.compressed.count })
        writer.writeUInt32(UInt32(frames.count))
        for frame in frames {
            guard frame.compressed.count <= Int(UInt32.max) else {
                throw PersistenceError(.tooLarge, "a compressed frame of \(frame.compressed.count) bytes")
            }
            writer.writeUInt32(UInt32(frame.raw))
            writer.writeUInt32(UInt32(frame.compressed.count))
        }
        for frame in frames { writer.writeRaw(frame.compressed) }
        return writer.bytes
    }

    /// Inflates the frames in `bytes[start...]` (which they must fill exactly) into a body of `bodySize`
    /// bytes, frames in parallel. Damage throws (`.corrupt`, `.truncated`), never traps.
    public static func decompressFrames(_ bytes: [UInt8], from start: Int, bodySize: Int) throws -> [UInt8] {
        var reader = ByteReader(bytes, offset: start)
        let count = Int(try reader.readUInt32())
        guard count >= 1, count <= reader.remaining / 8 else {
            throw PersistenceError(.corrupt, "snapshot frame table of \(count) frames")
        }
        var frames: [(rawStart: Int, raw: Int, input: Range<Int>)] = []
        frames.reserveCapacity(count)
        var rawTotal = 0
        var inputStart = reader.offset + count * 8
        for _ in 0..<count {
            let raw = Int(try reader.readUInt32())
            let compressed = Int(try reader.readUInt32())
            guard raw > 0 else { throw PersistenceError(.corrupt, "empty snapshot frame") }
            frames.append((rawTotal, raw, inputStart..<inputStart + compressed))
            rawTotal += raw
            inputStart += compressed
        }
        guard rawTotal == bodySize else {
            throw PersistenceError(.corrupt, "snapshot frames hold \(rawTotal) bytes, header says \(bodySize)")
        }
        guard inputStart <= bytes.count else {
            throw PersistenceError(.truncated, "snapshot frames end at \(inputStart), file at \(bytes.count)")
        }
        guard inputStart == bytes.count else {
            throw PersistenceError(.corrupt, "\(bytes.count - inputStart) trailing bytes after the snapshot frames")
        }
        let failure = Mutex<(index: Int, error: PersistenceError)?>(nil)
        let table = frames
        let body = [UInt8](unsafeUninitializedCapacity: bodySize) { output, initialized in
            bytes.withUnsafeBytes { input in
                // Each frame writes only its own range of `output`.
                let buffers = Buffers(input: input, output: UnsafeMutableRawBufferPointer(output))
                DispatchQueue.concurrentPerform(iterations: table.count) { index in
                    let frame = table[index]
                    do throws(PersistenceError) {
                        try inflateFrame(
                            UnsafeRawBufferPointer(rebasing: buffers.input[frame.input]),
                            into: UnsafeMutableRawBufferPointer(rebasing: buffers.output[frame.rawStart..<frame.rawStart + frame.raw]))
                    } catch {
                        failure.withLock { first in
                            if first == nil || index < first!.index { first = (index, error) }
                        }
                    }
                }
            }
            initialized = bodySize
        }
        if let failure = failure.withLock({ $0 }) {
            throw PersistenceError(failure.error.code, "snapshot frame \(failure.index): \(failure.error.message)")
        }
        return body
    }

    /// The file's bytes and the body being filled, shared by the threads inflating frames.
    private struct Buffers: @unchecked Sendable {
        let input: UnsafeRawBufferPointer
        let output: UnsafeMutableRawBufferPointer
    }

    /// Inflates one complete zlib stream that must fill `output` exactly.
    static func inflateFrame(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(PersistenceError) {
        let stream = try inflateStream()
        defer { endInflate(stream) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = inflate(stream, Z_FINISH)
        switch status {
        case Z_STREAM_END:
            guard stream.pointee.avail_in == 0 else {
                throw PersistenceError(.corrupt, "\(stream.pointee.avail_in) trailing bytes after a zlib stream")
            }
            guard stream.pointee.avail_out == 0 else {
                throw PersistenceError(.corrupt, "zlib stream inflates to \(output.count - Int(stream.pointee.avail_out)) bytes, not \(output.count)")
            }
        case Z_OK, Z_BUF_ERROR:
            if stream.pointee.avail_out == 0 {
                throw PersistenceError(.corrupt, "zlib stream inflates beyond its \(output.count) bytes")
            }
            throw PersistenceError(.truncated, "zlib stream ends early")
        case Z_MEM_ERROR:
            throw PersistenceError(.io, "inflate ran out of memory")
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw PersistenceError(.corrupt, "zlib stream is corrupt: \(reason)")
        }
    }
}
