import Actors
import Foundation
import Wire

/// File sharing: upload (whole or chunked), share into a room, ranged download.
struct FileHandlers {
    let services: ChatServices
    let files: FileService

    func upload(_ request: inout Request) async throws -> Reply {
        let roomId = request.parameter("room_id")
        let room = try services.room(roomId)
        guard await room.isMember(request.user.userId) else { throw ChatError.notMember }
        let name = try request.optionalString("name", maxLength: 255)
        let mime = try Self.mime(request)
        let data = try Self.base64(request, "data")
        guard data.count <= FileService.maxChunkBytes else {
            throw ChatError(.tooLarge, "a chunk carries at most \(FileService.maxChunkBytes) bytes")
        }
        guard let uploadId = try request.optionalString("upload_id", maxLength: 64) else {
            guard let name, let mime else { throw ChatError.validation("'name' and 'mime' are required") }
            guard data.count <= services.configuration.maxFileSize else {
                throw ChatError(.tooLarge, "the file is larger than \(services.configuration.maxFileSize) bytes")
            }
            let stored = try files.store(data, name: name, mime: mime, user: request.user.userId, roomId: roomId, now: request.now)
            return Self.uploaded(stored)
        }
        guard isValidUserID(uploadId) else { throw ChatError.validation("'upload_id' must be 1–64 of [A-Za-z0-9_.-]") }
        let maxChunks = max(1, services.configuration.maxFileSize / 1024 + 1)
        guard let total = try request.optionalInt("total", in: 1...maxChunks) else { throw ChatError.validation("'total' is required") }
        guard let index = try request.optionalInt("index", in: 0...(total - 1)) else { throw ChatError.validation("'index' is required") }
        let outcome = try files.addChunk(
            user: request.user.userId, uploadId: uploadId, roomId: roomId, index: index, total: total, data: data,
            name: name, mime: mime, now: request.now)
        if let stored = outcome.file { return Self.uploaded(stored).with(["upload_id": .string(uploadId)]) }
        return Reply("chunk_received", [
            "upload_id": .string(uploadId), "index": .number(Double(index)), "received": .number(Double(outcome.received)),
            "total": .number(Double(total)),
        ])
    }

    func share(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        let fileId = try request.string("file_id", maxLength: 64)
        let caption = try request.optionalString("caption", maxLength: services.configuration.maxContentLength)
        let stored = try files.file(fileId, visibleTo: request.user.userId)
        let draft = MessageDraft(
            request, content: caption ?? stored.info.name, kind: stored.info.mime.hasPrefix("image/") ? .image : .file,
            file: stored.info)
        try await services.requireNotBlocked(request.user.userId, in: room)
        let message = try await room.post(draft, now: request.now)
        try files.shared(stored, in: room.id)
        return Self.shared(message, fileId: fileId)
    }

    static func shared(_ message: ChatMessage, fileId: String) -> Reply {
        MessageHandlers.sent(message).with(["file_id": .string(fileId)])
    }

    /// The share's reply rebuilt after a crash (Route.recover).
    static func recoverShare(_ changes: [UnansweredRequest.Change]) -> Reply? {
        guard let message = MessageHandlers.posted(changes), let fileId = message.file?.fileId else { return nil }
        return shared(message, fileId: fileId)
    }

    func get(_ request: inout Request) async throws -> Reply {
        let fileId = request.parameter("file_id")
        let stored = try files.file(fileId, visibleTo: request.user.userId)
        let offset = try request.optionalInt("offset", in: 0...Int(Int32.max)) ?? 0
        let length = try request.optionalInt("length", in: 1...FileService.maxChunkBytes) ?? FileService.maxChunkBytes
        let range: (bytes: [UInt8], size: Int)
        do {
            range = try files.blobs.read(stored.info.sha256, offset: offset, length: length)
        } catch {
            services.logger.error("reading a file failed", metadata: ["file": "\(fileId)", "error": "\(error)"])
            throw ChatError(.internal, "the file could not be read")
        }
        return Reply("success", [
            "file_id": .string(fileId), "name": .string(stored.info.name), "mime": .string(stored.info.mime),
            "size": .number(Double(range.size)), "sha256": .string(stored.info.sha256), "offset": .number(Double(offset)),
            "length": .number(Double(range.bytes.count)), "eof": .bool(offset + range.bytes.count >= range.size),
            "data": .string(Data(range.bytes).base64EncodedString()),
        ])
    }

    static func uploaded(_ stored: StoredFile) -> Reply {
        Reply("file_uploaded", [
            "file_id": .string(stored.info.fileId), "size": .number(Double(stored.info.size)),
            "sha256": .string(stored.info.sha256), "name": .string(stored.info.name), "mime": .string(stored.info.mime),
        ])
    }

    static func mime(_ request: Request) throws(ChatError) -> String? {
        guard let mime = try request.optionalString("mime", maxLength: 100) else { return nil }
        let parts = mime.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw ChatError.validation("'mime' must look like type/subtype")
        }
        return mime.lowercased()
    }

    static func base64(_ request: Request, _ key: String) throws(ChatError) -> [UInt8] {
        let text = try request.string(key, maxLength: 2 * FileService.maxChunkBytes)
        guard let data = Data(base64Encoded: text) else { throw ChatError.validation("'\(key)' must be base64") }
        return Array(data)
    }
}
