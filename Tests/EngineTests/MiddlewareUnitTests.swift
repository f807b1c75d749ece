import Actors
@testable import Engine
import Testing
import Wire

struct MiddlewareUnitTests {
    func request(_ payload: [String: JSONValue], size: Int = 10) -> Request {
        var router = Router()
        router.group("chat") { $0.on("message/{room_id}", qos: 1, lane: .parameter("room_id")) { _ in Reply("ok") } }
        return Request(
            topic: "chat/message/r", match: router.match("chat/message/r")!, payload: payload,
            user: Identity(userId: "u", name: "u", isAdmin: false), payloadSize: size, now: 0)
    }

    @Test func validationCountsUnicodeScalarsNotBytesNorGraphemes() throws {
        let validation = ContentValidation(shorteners: ["bit.ly"])
        var ok = request(["content": .string(String(repeating: "🙂", count: 4000))])
        try validation.process(&ok)
        var long = request(["content": .string(String(repeating: "a", count: 4001))])
        #expect(throws: ChatError.self) { try validation.process(&long) }
        var blank = request(["content": " \n\t "])
        #expect(throws: ChatError.self) { try validation.process(&blank) }
        // One letter and 4000 combining marks is one grapheme cluster but 4001 scalars.
        var stacked = request(["content": .string("a" + String(repeating: "\u{301}", count: 4000))])
        #expect(throws: ChatError.validation("'content' is longer than 4000 characters")) { try validation.process(&stacked) }
        var flag = request(["content": .string(String(repeating: "🇫🇷", count: 2000))])
        try validation.process(&flag)
        var big = request(["content": "x"], size: 64 * 1024 + 1)
        #expect(throws: ChatError(.tooLarge, "payload is larger than 65536 bytes")) { try validation.process(&big) }
    }

    @Test func shoutingIsLoweredAndShortenersFlagged() throws {
        let validation = ContentValidation(shorteners: ["bit.ly", "tinyurl.com"])
        var loud = request(["content": "HELLO THERE FRIENDS"])
        try validation.process(&loud)
        #expect(loud.payload["content"]?.stringValue == "hello there friends")
        var short = request(["content": "HI THERE"])
        try validation.process(&short)
        #expect(short.payload["content"]?.stringValue == "HI THERE")
        var link = request(["content": "go to TinyURL.com/abc"])
        try validation.process(&link)
        #expect(link.flagged)
    }

    @Test func profanityMasksWholeWordsCaseInsensitively() throws {
        let filter = ProfanityFilter(words: ["darn", "heck"])
        #expect(filter.mask("Darn! What the HECK, darning heckler") == "****! What the ****, darning heckler")
        var captioned = request(["caption": "darn photo"])
        try filter.process(&captioned)
        #expect(captioned.payload["caption"]?.stringValue == "**** photo")
    }

    /// ASCII texts are read as bytes; every ASCII character, in every position, must read as Unicode's
    /// properties read it.
    @Test func asciiBytePathsAgreeWithUnicodeProperties() {
        let filter = ProfanityFilter(words: ["darn", "heck", "o'neil", "b4d"])
        var generator = SystemRandomNumberGenerator()
        let alphabet = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) } + Array("darnheckDARNHECK'b4 ")
        var texts = (0..<128).map { "darn" + String(Character(Unicode.Scalar(UInt8($0)))) + "heck" }
        texts += (0..<2_000).map { _ in String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        texts += ["", "DaRn", "O'Neil said b4d", "\r\nheck\r\n", "   ", "\u{0B}\u{0C}", "\u{1C}\u{1D}"]
        for text in texts {
            #expect(filter.maskASCII(text) == filter.maskCharacters(text), "\(Array(text.utf8))")
            let bytes = ContentValidation.measureASCII(text)
            let scalars = ContentValidation.measureScalars(text, limit: .max)
            #expect(bytes?.characters == scalars.characters && bytes?.capitals == scalars.capitals && bytes?.blank == scalars.blank,
                    "\(Array(text.utf8))")
        }
        #expect(filter.maskASCII("darn café") == nil)
        #expect(filter.mask("Darn café, HECK") == "**** café, ****")
        #expect(ContentValidation.measureASCII("naïve") == nil)
        // The Kelvin sign lowers to an ASCII k: a non-ASCII text keeps Unicode's case folding.
        #expect(ContentValidation.contains("tiny.\u{212A}/x", lowercased: Array("tiny.k".utf8)))
        #expect(ContentValidation.contains("see BIT.LY/x", lowercased: Array("bit.ly".utf8)))
        #expect(!ContentValidation.contains("bit.l", lowercased: Array("bit.ly".utf8)))
    }

    @Test func captionsFollowTheContentRules() throws {
        let validation = ContentValidation(shorteners: ["bit.ly"])
        var blank = request(["caption": "   "])
        #expect(throws: ChatError.self) { try validation.process(&blank) }
        var loud = request(["caption": "LOOK AT THIS PHOTO", "content": "fine"])
        try validation.process(&loud)
        #expect(loud.payload["caption"]?.stringValue == "look at this photo")
        #expect(loud.payload["content"]?.stringValue == "fine")
    }

    @Test func stringFieldsCountUnicodeScalars() throws {
        let name = request(["name": .string("a" + String(repeating: "\u{301}", count: 100))])
        #expect(throws: ChatError.validation("'name' is longer than 100 characters")) { try name.string("name", maxLength: 100) }
        let emoji = request(["name": "👨‍👩‍👧‍👦"])
        #expect(try emoji.string("name", maxLength: 7) == "👨‍👩‍👧‍👦")
        #expect(throws: ChatError.self) { try emoji.string("name", maxLength: 6) }
        #expect(Request.fits(String(repeating: "é", count: 10), maxScalars: 10))
        #expect(!Request.fits(String(repeating: "😀", count: 11), maxScalars: 10))
        #expect(Request.fits("anything", maxScalars: .max))
    }

    @Test func mentionsAreUserIdsAfterAt() {
        #expect(Notifier.mentionedUserIds("hi @bob, @carol.s and @bob. mail a@b") == ["bob", "carol.s"])
        #expect(Notifier.mentionedUserIds("no mentions @ all") == [])
    }

    @Test func requestIdsAreShortStrings() throws {
        #expect(try RequestProcessor.requestId(["request_id": "abc"]) == "abc")
        #expect(try RequestProcessor.requestId([:]) == nil)
        #expect(throws: ChatError.self) { try RequestProcessor.requestId(["request_id": 5]) }
        #expect(throws: ChatError.self) { try RequestProcessor.requestId(["request_id": .string(String(repeating: "r", count: 129))]) }
    }

    @Test func requestKeysSplitBackIntoTopicAndRequestIdEvenWithNulInTheId() throws {
        let key = RequestProcessor.requestKey(topic: "chat/rooms/join/r", requestId: "a\u{0}b")
        let parts = try #require(RequestProcessor.parts(ofRequestKey: key))
        #expect(parts.topic == "chat/rooms/join/r" && parts.requestId == "a\u{0}b")
        #expect(RequestProcessor.parts(ofRequestKey: "no separator") == nil)
    }

    @Test func replyTopicsStayInsideTheUsersPrefix() {
        #expect(ReplyChannel.isOwn("chat/user/alice/x", userId: "alice"))
        #expect(!ReplyChannel.isOwn("chat/user/alice/", userId: "alice"))
        #expect(!ReplyChannel.isOwn("chat/user/alicex/y", userId: "alice"))
        #expect(!ReplyChannel.isOwn("chat/user/bob/x", userId: "alice"))
        #expect(!ReplyChannel.isOwn("chat/user/alice/#", userId: "alice"))
    }}
