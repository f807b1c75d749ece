import CZlib

/// zlib-format (RFC 1950) compression and bounded decompression.
public enum Zlib {
    /// Output is produced in chunks of this size so memory grows with the result, not with a guess.
    static let chunkSize = 256 * 1024
    /// zlib counts input in 32-bit units; feed larger buffers in slices of this size.
    static let maxInputSlice = 1 << 30

    /// Compresses `bytes` into a zlib stream.
    /// - Parameters:
    ///   - bytes: The data to compress.
    ///   - level: 0 (store) … 9 (best); 6 is zlib's default balance. 1 is much faster on large states.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        guard (-1...9).contains(level) else {
            throw PersistenceError(.corrupt, "invalid zlib level \(level)")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        // zlib keeps a pointer back to the stream, so it must not move between calls: heap, not a Swift var.
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard czlib_deflate_init2(stream, level, MAX_WBITS, 8) == Z_OK else {
            throw PersistenceError(.io, "deflateInit2 failed")
        }
        defer { deflateEnd(stream) }

        var output: [UInt8] = []
        // Typical state compresses 3–10×; a modest first guess avoids most regrowth without overcommitting.
        output.reserveCapacity(bytes.count / 4 + 64)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try bytes.withUnsafeBufferPointer { input in
            var consumed = 0
            repeat {
                let slice = min(input.count - consumed, maxInputSlice)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                stream.pointee.avail_in = uInt(slice)
                consumed += slice
                let flush = consumed == input.count ? Z_FINISH : Z_NO_FLUSH
                var status: Int32 = Z_OK
                repeat {
                    let produced = chunk.withUnsafeMutableBufferPointer { out in
                        stream.pointee.next_out = out.baseAddress
                        stream.pointee.avail_out = uInt(out.count)
                        status = deflate(stream, flush)
                        return out.count - Int(stream.pointee.avail_out)
                    }
                    guard status != Z_STREAM_ERROR else {
                        throw PersistenceError(.io, "deflate failed (\(status))")
                    }
                    output.append(contentsOf: chunk[0..<produced])
                } while stream.pointee.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
            } while consumed < input.count
        }
        return output
    }

    /// Decompresses a complete zlib stream.
    /// - Parameters:
    ///   - bytes: A zlib stream; trailing bytes after its end are rejected as corruption.
    ///   - expectedSize: The known uncompressed size, if any: reserves it once and is verified.
    ///   - limit: Maximum output size; larger output throws `.tooLarge` (decompression bombs).
    public static func decompress(
        _ bytes: [UInt8], expectedSize: Int? = nil, limit: Int
    ) throws -> [UInt8] {
        if let expectedSize, expectedSize > limit {
            throw PersistenceError(.tooLarge, "expected size \(expectedSize) exceeds limit \(limit)")
        }
        let stream = try inflateStream()
        defer { endInflate(stream) }

        var output: [UInt8] = []
        output.reserveCapacity(expectedSize ?? min(limit, bytes.count * 4 + 64))
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var ended = false
        try bytes.withUnsafeBufferPointer { input in
            var consumed = 0
            while !ended {
                if stream.pointee.avail_in == 0 && consumed < input.count {
                    let slice = min(input.count - consumed, maxInputSlice)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.pointee.avail_in = uInt(slice)
                    consumed += slice
                }
                var status: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    status = inflate(stream, Z_NO_FLUSH)
                    return out.count - Int(stream.pointee.avail_out)
                }
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    break
                case Z_STREAM_END:
                    ended = true
                case Z_MEM_ERROR:
                    throw PersistenceError(.io, "inflate ran out of memory")
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw PersistenceError(.corrupt, "zlib stream is corrupt: \(reason)")
                }
                guard output.count + produced <= limit else {
                    throw PersistenceError(.tooLarge, "decompressed data exceeds limit \(limit)")
                }
                output.append(contentsOf: chunk[0..<produced])
                // No output and no input left means zlib wants more than exists.
                if !ended && produced == 0 && stream.pointee.avail_in == 0 && consumed == input.count {
                    throw PersistenceError(.truncated, "zlib stream ends early after \(input.count) bytes")
                }
            }
            if stream.pointee.avail_in != 0 || consumed != input.count {
                let trailing = Int(stream.pointee.avail_in) + input.count - consumed
                throw PersistenceError(.corrupt, "\(trailing) trailing bytes after the zlib stream")
            }
        }
        if let expectedSize, output.count != expectedSize {
            throw PersistenceError(
                .corrupt, "decompressed \(output.count) bytes, header says \(expectedSize)")
        }
        return output
    }

    /// A z_stream ready to inflate a zlib stream; `endInflate` frees it. zlib keeps a pointer back to the
    /// stream, so it must not move between calls: heap, not a Swift var.
    static func inflateStream() throws(PersistenceError) -> UnsafeMutablePointer<z_stream> {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init2(stream, MAX_WBITS) == Z_OK else {
            stream.deallocate()
            throw PersistenceError(.io, "inflateInit2 failed")
        }
        return stream
    }

    static func endInflate(_ stream: UnsafeMutablePointer<z_stream>) {
        inflateEnd(stream)
        stream.deallocate()
    }
}
