import Crypto
import Engine
import Foundation
import Testing
import Wire

/// File upload (single and chunked), sharing and ranged download through the broker.
@Suite(.timeLimit(.minutes(1)))
struct FileTests {
    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Downloads a whole file in `chunk`-sized ranges.
    static func download(_ client: ChatClient, _ fileId: String, chunk: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        while true {
            let reply = try await client.request("chat/file/get/\(fileId)", ["offset": .number(Double(result.count)), "length": .number(Double(chunk))])
            let data = try #require(reply["data"]?.stringValue.flatMap { Data(base64Encoded: $0) }, "\(reply)")
            result += data
            if reply["eof"]?.boolValue == true { return result }
        }
    }

    @Test func singleUploadShareAndRangedDownload() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let outsider = try await engine.user("outsider")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let content = Self.bytes(300_000)
            let uploaded = try await alice.request("chat/file/upload/\(roomId)", [
                "name": "photo.png", "mime": "image/png", "data": .string(Data(content).base64EncodedString()),
            ])
            #expect(uploaded.status == "file_uploaded")
            #expect(uploaded["size"]?.intValue == 300_000)
            #expect(uploaded["sha256"]?.stringValue == Self.hex(content))
            let fileId = try #require(uploaded["file_id"]?.stringValue)

            let shared = try await alice.request("chat/file/share/\(roomId)", ["file_id": .string(fileId), "caption": "look"])
            #expect(shared.status == "message_sent")
            let event = try await bob.event("image")
            #expect(event["file"]?["name"]?.stringValue == "photo.png")
            #expect(event["file"]?["sha256"]?.stringValue == Self.hex(content))
            #expect(event["content"]?.stringValue == "look")

            let downloaded = try await Self.download(bob, fileId, chunk: 100_000)
            #expect(Self.hex(downloaded) == Self.hex(content))
            #expect(try await outsider.request("chat/file/get/\(fileId)").errorCode == "not_found")
            #expect(try await outsider.request("chat/file/get/fnothing").errorCode == "not_found")
            #expect(try await outsider.request("chat/file/upload/\(roomId)", ["name": "x", "mime": "text/plain", "data": "aGk="]).errorCode == "not_member")
            #expect(try await alice.request("chat/file/upload/\(roomId)", ["name": "x", "mime": "bad", "data": "aGk="]).errorCode == "validation_failed")
            #expect(try await alice.request("chat/file/upload/\(roomId)", ["name": "x", "mime": "text/plain", "data": "%%%"]).errorCode == "validation_failed")
        }
    }

    @Test func chunksInAnyOrderWithDuplicates() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            let content = Self.bytes(2_500_000, seed: 3)
            let size = 1_000_000
            let parts = stride(from: 0, to: content.count, by: size).map { Array(content[$0..<min($0 + size, content.count)]) }
            func chunk(_ index: Int, meta: Bool) -> [String: JSONValue] {
                var fields: [String: JSONValue] = [
                    "upload_id": "up1", "index": .number(Double(index)), "total": .number(Double(parts.count)),
                    "data": .string(Data(parts[index]).base64EncodedString()),
                ]
                if meta { fields["name"] = "big.bin"; fields["mime"] = "application/octet-stream" }
                return fields
            }
            #expect(try await alice.request("chat/file/upload/\(roomId)", chunk(2, meta: false)).status == "chunk_received")
            #expect(try await alice.request("chat/file/upload/\(roomId)", chunk(0, meta: true)).status == "chunk_received")
            let duplicate = try await alice.request("chat/file/upload/\(roomId)", chunk(2, meta: false))
            #expect(duplicate["received"]?.intValue == 2)
            let done = try await alice.request("chat/file/upload/\(roomId)", chunk(1, meta: false))
            #expect(done.status == "file_uploaded")
            #expect(done["sha256"]?.stringValue == Self.hex(content))
            let fileId = try #require(done["file_id"]?.stringValue)
            let downloaded = try await Self.download(alice, fileId, chunk: 1_048_576)
            #expect(downloaded.count == content.count)
            #expect(Self.hex(downloaded) == Self.hex(content))
        }
    }

    @Test func sizeLimitIsEnforcedAsSoonAsItIsExceeded() async throws {
        try await withEngine({ $0.maxFileSize = 150_000 }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            let part = Data(Self.bytes(100_000)).base64EncodedString()
            func chunk(_ index: Int) -> [String: JSONValue] {
                ["upload_id": "big", "index": .number(Double(index)), "total": 10, "data": .string(part), "name": "a", "mime": "a/b"]
            }
            #expect(try await alice.request("chat/file/upload/\(roomId)", chunk(0)).status == "chunk_received")
            #expect(try await alice.request("chat/file/upload/\(roomId)", chunk(1)).errorCode == "too_large")
            // The upload was discarded: a new first chunk starts over.
            #expect(try await alice.request("chat/file/upload/\(roomId)", chunk(5))["received"]?.intValue == 1)
            let whole = Data(Self.bytes(200_000)).base64EncodedString()
            #expect(try await alice.request("chat/file/upload/\(roomId)", ["name": "a", "mime": "a/b", "data": .string(whole)]).errorCode == "too_large")
        }
    }

    @Test func abandonedUploadsExpire() async throws {
        try await withEngine({ $0.uploadTTL = 0.3 }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            let part = Data(Self.bytes(10)).base64EncodedString()
            let first = try await alice.request("chat/file/upload/\(roomId)", [
                "upload_id": "gone", "index": 0, "total": 2, "data": .string(part), "name": "a", "mime": "a/b",
            ])
            #expect(first["received"]?.intValue == 1)
            // Well past the 0.3 s TTL, so a busy machine's late timer still fires first.
            try await Task.sleep(for: .seconds(2))
            let later = try await alice.request("chat/file/upload/\(roomId)", [
                "upload_id": "gone", "index": 1, "total": 2, "data": .string(part),
            ])
            #expect(later.status == "chunk_received")
            #expect(later["received"]?.intValue == 1)
        }
    }

    // MARK: Limits (UserLimits)

    /// One upload of `count` bytes in one message.
    static func upload(_ client: ChatClient, _ roomId: String, _ count: Int, seed: UInt8 = 1) async throws -> JSONValue {
        try await client.request("chat/file/upload/\(roomId)", [
            "name": "f.bin", "mime": "application/octet-stream", "data": .string(Data(bytes(count, seed: seed)).base64EncodedString()),
        ])
    }

    /// One chunk of `count` bytes of a chunked upload.
    static func chunk(
        _ client: ChatClient, _ roomId: String, _ uploadId: String, index: Int, total: Int, _ count: Int
    ) async throws -> JSONValue {
        try await client.request("chat/file/upload/\(roomId)", [
            "upload_id": .string(uploadId), "index": .number(Double(index)), "total": .number(Double(total)),
            "data": .string(Data(bytes(count, seed: UInt8(index))).base64EncodedString()), "name": "c.bin", "mime": "a/b",
        ])
    }

    @Test func storedBytesPerUserAreCappedAcrossRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quota-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configure: (inout EngineConfiguration) -> Void = {
            $0.dataDirectory = directory
            $0.limits.storedBytesPerUser = 250_000
        }
        var roomId = ""
        try await withEngine(configure) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            roomId = try await alice.createRoom(joinedBy: [bob])
            #expect(try await Self.upload(alice, roomId, 200_000).status == "file_uploaded")
            let over = try await Self.upload(alice, roomId, 100_000, seed: 2)
            #expect(over.errorCode == "too_large")
            #expect(over["error"]?["message"]?.stringValue?.contains("quota") == true, "\(over)")
            // A chunked upload that cannot fit is refused at its first chunk, not after the last.
            #expect(try await Self.chunk(alice, roomId, "up", index: 0, total: 2, 30_000).status == "chunk_received")
            #expect(try await Self.chunk(alice, roomId, "up", index: 1, total: 2, 30_000).errorCode == "too_large")
            // What still fits is accepted; the quota is each user's own.
            #expect(try await Self.upload(alice, roomId, 50_000, seed: 3).status == "file_uploaded")
            #expect(try await Self.upload(bob, roomId, 200_000).status == "file_uploaded")
        }
        // The count comes from the file metadata, which the restart restores.
        try await withEngine(configure) { engine in
            let alice = try await engine.user("alice")
            #expect(try await Self.upload(alice, roomId, 1_000, seed: 4).errorCode == "too_large")
            let bob = try await engine.user("bob")
            #expect(try await Self.upload(bob, roomId, 50_000, seed: 5).status == "file_uploaded")
        }
    }

    @Test func incompleteUploadsOfAllUsersAreBoundedInMemory() async throws {
        try await withEngine({ $0.limits.pendingUploadBytesTotal = 250_000 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let dave = try await engine.user("dave")
            let roomId = try await alice.createRoom(joinedBy: [bob, carol, dave])
            #expect(try await Self.chunk(alice, roomId, "a", index: 0, total: 2, 100_000).status == "chunk_received")
            #expect(try await Self.chunk(bob, roomId, "b", index: 0, total: 3, 100_000).status == "chunk_received")
            let refused = try await Self.chunk(carol, roomId, "c", index: 0, total: 2, 100_000)
            #expect(refused.errorCode == "rate_limited")
            #expect(refused["error"]?["retry_after"]?.doubleValue == 5)
            // Completing an upload frees all its bytes; the refused chunk then fits, and the rest up to
            // exactly the bound: bob 100 000 + carol 100 000 + dave 50 000.
            #expect(try await Self.chunk(alice, roomId, "a", index: 1, total: 2, 40_000).status == "file_uploaded")
            #expect(try await Self.chunk(carol, roomId, "c", index: 0, total: 2, 100_000).status == "chunk_received")
            #expect(try await Self.chunk(dave, roomId, "d", index: 0, total: 2, 50_000).status == "chunk_received")
            // A repeated chunk replaces the earlier one: no new bytes.
            #expect(try await Self.chunk(bob, roomId, "b", index: 0, total: 3, 100_000).status == "chunk_received")
            #expect(try await Self.chunk(bob, roomId, "b", index: 1, total: 3, 1).errorCode == "rate_limited")
            // A single-message upload holds nothing between requests, so it is not counted.
            #expect(try await Self.upload(alice, roomId, 100_000).status == "file_uploaded")
        }
    }

    @Test func anAbandonedUploadFreesItsBytes() async throws {
        try await withEngine({ $0.limits.pendingUploadBytesTotal = 150_000; $0.uploadTTL = 3 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            #expect(try await Self.chunk(alice, roomId, "a", index: 0, total: 2, 100_000).status == "chunk_received")
            #expect(try await Self.chunk(bob, roomId, "b", index: 0, total: 2, 100_000).errorCode == "rate_limited")
            // The TTL is long enough for the two chunks above on a loaded machine (parallel tests on two
            // cores), and this wait well past it, so the expiry timer has fired.
            try await Task.sleep(for: .seconds(5))
            #expect(try await Self.chunk(bob, roomId, "b", index: 0, total: 2, 100_000).status == "chunk_received")
        }
    }

    @Test func uploadsThatWouldFillTheDiskAreRefused() async throws {
        // More free space than any test machine has: every new upload would go below it.
        try await withEngine({ $0.limits.minimumFreeDiskBytes = Int.max / 2 }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            let whole = try await Self.upload(alice, roomId, 10_000)
            #expect(whole.errorCode == "too_large")
            #expect(whole["error"]?["message"]?.stringValue?.contains("disk") == true, "\(whole)")
            #expect(try await Self.chunk(alice, roomId, "up", index: 0, total: 2, 10_000).errorCode == "too_large")
        }
    }

    @Test func theDataDirectoryIsOwnerOnly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A folder that does not exist yet, two levels down: the engine creates all of it.
        let directory = root + "/data/engine"
        try await withEngine({ $0.dataDirectory = directory }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom()
            #expect(try await Self.upload(alice, roomId, 1_000).status == "file_uploaded")
            #expect(try await alice.request("chat/message/\(roomId)", ["content": "hello"]).status == "message_sent")
        }
        // The shutdown wrote a snapshot; the journal and the blob are there too.
        var modes: [String: Int] = [:]
        var isDirectory: [String: Bool] = [:]
        for path in [root + "/data", directory] + (FileManager.default.subpaths(atPath: directory) ?? []).map({ directory + "/" + $0 }) {
            var info = stat()
            #expect(stat(path, &info) == 0)
            modes[path] = Int(info.st_mode) & 0o777
            isDirectory[path] = (info.st_mode & S_IFMT) == S_IFDIR
        }
        let names = modes.keys.map { ($0 as NSString).lastPathComponent }
        #expect(names.contains { $0.hasPrefix("snapshot") }, "\(names)")
        #expect(names.contains { $0.hasPrefix("journal") }, "\(names)")
        #expect(names.contains("files"))
        #expect(names.contains { $0.count == 64 }, "a blob: \(names)")
        for (path, mode) in modes {
            #expect(mode == (isDirectory[path]! ? 0o700 : 0o600), "\(path) is \(String(mode, radix: 8))")
        }
    }
}
