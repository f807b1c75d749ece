import BenchCore
import Testing

struct BenchContentTests {
    @Test func roundTripsThroughText() {
        let content = BenchContent(sender: 3, number: 17, sentAt: 1_234_567_123_456)
        #expect(content.text == "b|s=3|n=17|t=1234567123456")
        #expect(BenchContent(text: content.text) == content)
    }

    @Test func isFoundInsideAJSONPayload() {
        let payload = Array(#"{"id":"x","content":"b|s=12|n=4|t=99","seq":5}"#.utf8)
        #expect(BenchContent.find(in: payload) == BenchContent(sender: 12, number: 4, sentAt: 99))
    }

    @Test func ignoresOtherContent() {
        #expect(BenchContent.find(in: Array(#"{"content":"alice joined the room"}"#.utf8)) == nil)
        #expect(BenchContent.find(in: Array("b|s=1|n=".utf8)) == nil)
        #expect(BenchContent.find(in: []) == nil)
    }
}

@Suite struct SeedTextTests {
    @Test func uuidShape() {
        var rng = SplitMix64(seed: 1)
        let id = SeedText.uuid(&rng)
        #expect(id.utf8.count == 36)
        #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(SeedText.uuid(&rng) != id)
    }

    @Test func sentenceLength() {
        var rng = SplitMix64(seed: 2)
        for length in [1, 10, 70, 300] { #expect(SeedText.sentence(length: length, &rng).utf8.count == length) }
    }
}
