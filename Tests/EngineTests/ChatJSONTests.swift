import Actors
@testable import Engine
import Testing
import Wire

/// The message object written straight to bytes (for `sync`) is the message object of every other reply.
struct ChatJSONTests {
    static let messages: [ChatMessage] = [
        ChatMessage(roomId: "r1", seq: 1, senderId: "alice", senderName: "Alice", content: "plain", kind: .text, timestamp: 1_700_000_000.25),
        ChatMessage(
            roomId: "r1", seq: 9_007_199_254_740_000, senderId: "bob", senderName: "Bob \"B\" ✨", content: "line\nnext é 🎉",
            kind: .image, timestamp: 1_700_000_001, replyTo: "r1:1", threadId: "r1:1", replyCount: 3,
            reactions: [Reaction(emoji: "👍", userIds: ["alice", "bob"]), Reaction(emoji: "ok", userIds: ["carol"])],
            editedAt: 1_700_000_002.5, flagged: true,
            file: FileInfo(fileId: "f1", name: "cat.png", mime: "image/png", size: 123, sha256: String(repeating: "ab", count: 32)),
            targetId: "carol"),
        ChatMessage(roomId: "r1", seq: 3, senderId: "system", senderName: "system", content: "", kind: .system, timestamp: 0, deleted: true),
    ]

    @Test func writtenMessagesParseToTheMessageObject() throws {
        for message in Self.messages {
            var writer = JSONWriter()
            ChatJSON.write(message, into: &writer)
            #expect(try JSONParser.parse(writer.bytes) == ChatJSON.message(message))
        }
        var list = JSONWriter()
        ChatJSON.write(Self.messages, into: &list)
        #expect(try JSONParser.parse(list.bytes) == ChatJSON.messages(Self.messages))
    }

    @Test func encodedFieldsFollowTheOthersInOneObject() throws {
        var reply = Reply("success", ["count": 2])
        reply.encodedFields = [("rooms", Array("[{\"a\":1},2]".utf8)), ("empty", Array("[]".utf8))]
        let bytes = RequestProcessor.encode(reply, topic: "chat/sync", requestId: "s1")
        #expect(try JSONParser.parse(bytes) == [
            "status": "success", "topic": "chat/sync", "request_id": "s1", "count": 2, "rooms": [["a": 1], 2], "empty": [],
        ])
    }
}
