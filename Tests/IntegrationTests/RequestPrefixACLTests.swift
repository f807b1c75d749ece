import Foundation
import Testing
import Wire

/// The shipped broker rules let users publish every request prefix, in all three places they are listed:
/// deploy/mosquitto/acl, the dynamic security role of setup-dynsec, and ejabberd's access_publish.
@Suite(.timeLimit(.minutes(1)))
struct RequestPrefixACLTests {
    static let deploy = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy")

    static func text(_ path: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(path), encoding: .utf8)
    }

    /// `pattern write X` lines of the acl file.
    static func aclPrefixes() throws -> Set<String> {
        Set(try text("mosquitto/acl").split(separator: "\n").compactMap { line in
            line.hasPrefix("pattern write ") ? String(line.dropFirst("pattern write ".count)) : nil
        })
    }

    /// The words of setup-dynsec's `for prefix in … ; do` loop.
    static func dynsecPrefixes() throws -> Set<String> {
        let script = try text("mosquitto/setup-dynsec")
        guard let start = script.range(of: "for prefix in "), let end = script.range(of: "; do", range: start.upperBound..<script.endIndex)
        else { throw TestFailure("setup-dynsec has no prefix loop") }
        let words = script[start.upperBound..<end.lowerBound].replacingOccurrences(of: "\\\n", with: " ")
        return Set(words.split(whereSeparator: \.isWhitespace).map { $0.replacingOccurrences(of: "'", with: "") })
    }

    /// The keys of ejabberd's `access_publish` allowed to everyone.
    static func ejabberdPrefixes() throws -> Set<String> {
        let lines = try text("ejabberd/ejabberd.yml").split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "access_publish:" }) else {
            throw TestFailure("ejabberd.yml has no access_publish")
        }
        var prefixes = Set<String>()
        for line in lines[(start + 1)...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\""), let close = trimmed.dropFirst().firstIndex(of: "\"") else { break }
            if trimmed.hasSuffix(": everyone") { prefixes.insert(String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])) }
        }
        return prefixes
    }

    @Test func theThreeRuleSetsAllowTheSameRequestPrefixes() throws {
        let acl = try Self.aclPrefixes()
        #expect(acl.contains("chat/users/#") && acl.contains("chat/sync"))
        #expect(try Self.dynsecPrefixes() == acl)
        #expect(try Self.ejabberdPrefixes() == acl)
    }

    /// Through the shipped broker, as a user with a password: the block routes, `chat/sync` and the
    /// search across rooms (`chat/search`, which `chat/search/#` covers) answer.
    @Test func usersPublishToTheUsersSyncAndSearchPrefixes() async throws {
        try await BrokerACLTests.withShippedBroker { broker, _ in
            let alice = try await ChatClient(userId: "alice", port: broker.port, password: "alice-pw")
            #expect(try await alice.request("chat/users/block/bob").status == "blocked")
            #expect(try await alice.request("chat/users/blocked")["users"]?.arrayValue == ["bob"])
            #expect(try await alice.request("chat/sync").status == "success")
            #expect(try await alice.request("chat/search", ["query": "x"]).status == "success")
        }
    }
}
