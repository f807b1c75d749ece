import Crypto
import Testing

@testable import Wire

struct TokenTests {
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    static let now = 1_700_000_000.0

    let signer = try! TokenSigner(secret: secret)
    let verifier = try! TokenVerifier(secret: secret)

    private func error(_ token: String, now: Double = now) -> TokenError? {
        do {
            _ = try verifier.verify(token, now: now)
            return nil
        } catch {
            return error
        }
    }

    /// Signs arbitrary header and payload JSON with `key`, for tokens the signer would never make.
    private func forge(header: String, payload: String, key: [UInt8] = secret) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: key))
        return input + "." + Base64URL.encode(Array(mac))
    }

    private let hs256 = #"{"alg":"HS256","typ":"JWT"}"#

    // MARK: - Valid tokens

    @Test func roundTrip() throws {
        let claims = TokenClaims(sub: "alice.b-1_x", exp: Self.now + 60, nbf: Self.now - 1, iat: Self.now - 1,
            name: "Alice 😀", role: "admin")
        let token = signer.sign(claims)
        #expect(token.split(separator: ".").count == 3)
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))
        let verified = try verifier.verify(token, now: Self.now)
        #expect(verified == claims)
        #expect(verified.isAdmin)
        #expect(verified.displayName == "Alice 😀")
    }

    @Test func minimalToken() throws {
        let claims = try verifier.verify(signer.sign(TokenClaims(sub: "bob", exp: Self.now + 1)), now: Self.now)
        #expect(claims.name == nil && claims.role == nil && claims.nbf == nil)
        #expect(claims.displayName == "bob")
        #expect(!claims.isAdmin)
    }

    @Test func headerVariantsAccepted() throws {
        let payload = #"{"sub":"a","exp":1800000000,"name":null,"extra":[1,{"x":2}]}"#
        for header in [#"{"alg":"HS256"}"#, #"{"typ":"jwt","alg":"HS256"}"#, #"{"alg":"HS256","kid":"k1"}"#] {
            #expect(try verifier.verify(forge(header: header, payload: payload), now: Self.now).sub == "a")
        }
    }

    @Test func stringSecret() throws {
        let token = try TokenSigner(secret: "0123456789abcdef0123456789abcdef").sign(TokenClaims(sub: "a", exp: Self.now + 1))
        #expect(try verifier.verify(token, now: Self.now).sub == "a")
    }

    // MARK: - Time

    @Test func expired() {
        let token = signer.sign(TokenClaims(sub: "a", exp: Self.now))
        #expect(error(token) == .expired)
        #expect(error(token, now: Self.now - 0.5) == nil)
    }

    @Test func notYetValid() {
        let token = signer.sign(TokenClaims(sub: "a", exp: Self.now + 100, nbf: Self.now + 10))
        #expect(error(token) == .notYetValid)
        #expect(error(token, now: Self.now + 10) == nil)
    }

    @Test func missingExpiry() {
        #expect(error(signer.sign(TokenClaims(sub: "a"))) == .missingExpiry)
        #expect(error(forge(header: hs256, payload: #"{"sub":"a","exp":null}"#)) == .missingExpiry)
        #expect(error(forge(header: hs256, payload: #"{"sub":"a","exp":"1800000000"}"#)) == .invalidClaims)
    }

    // MARK: - Signature and header

    @Test func wrongKey() throws {
        let other = try TokenSigner(secret: Array(repeating: 7, count: 32))
        #expect(error(other.sign(TokenClaims(sub: "a", exp: Self.now + 60))) == .badSignature)
    }

    @Test func tamperedPayload() {
        let token = signer.sign(TokenClaims(sub: "alice", exp: Self.now + 60))
        let parts = token.split(separator: ".").map(String.init)
        let evil = Base64URL.encode(Array(#"{"sub":"alice","exp":1700000060,"role":"admin"}"#.utf8))
        #expect(error([parts[0], evil, parts[2]].joined(separator: ".")) == .badSignature)
        #expect(error([parts[0], parts[1], String(parts[2].reversed())].joined(separator: ".")) == .badSignature)
        #expect(error([parts[0], parts[1], String(parts[2].dropLast(2))].joined(separator: ".")) == .badSignature)
        #expect(error([parts[0], parts[1], "???"].joined(separator: ".")) == .badSignature)
    }

    @Test(arguments: [
        #"{"alg":"none","typ":"JWT"}"#, #"{"alg":"HS512","typ":"JWT"}"#, #"{"alg":"RS256"}"#,
        #"{"alg":"hs256"}"#, #"{"typ":"JWT"}"#, #"{"alg":null}"#, #"["HS256"]"#, "not json",
    ])
    func unsupportedAlgorithm(header: String) {
        let token = forge(header: header, payload: #"{"sub":"a","exp":1800000000}"#)
        #expect(error(token) == .unsupportedAlgorithm)
    }

    @Test func algNoneWithoutSignature() {
        let header = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"a","exp":1800000000}"#.utf8))
        #expect(error(header + "." + payload + ".") == .malformed)
        #expect(error(header + "." + payload + ".c2ln") == .unsupportedAlgorithm)
    }

    @Test func badTypOrCrit() {
        let payload = #"{"sub":"a","exp":1800000000}"#
        #expect(error(forge(header: #"{"alg":"HS256","typ":"JWE"}"#, payload: payload)) == .malformed)
        #expect(error(forge(header: #"{"alg":"HS256","crit":["b64"]}"#, payload: payload)) == .malformed)
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.", "a!.b.c"])
    func malformedShape(token: String) {
        #expect(error(token) == .malformed)
    }

    @Test func payloadNotAnObject() {
        #expect(error(forge(header: hs256, payload: "[1]")) == .malformed)
        #expect(error(forge(header: hs256, payload: "{")) == .malformed)
    }

    @Test func oversizedToken() {
        let token = signer.sign(TokenClaims(sub: "a", exp: Self.now + 60, role: String(repeating: "x", count: 4000)))
        #expect(token.utf8.count > TokenVerifier.maximumTokenBytes)
        #expect(error(token) == .tooLarge)
        #expect(error(String(repeating: "a", count: 1_000_000)) == .tooLarge)
    }

    @Test func secretTooShort() {
        #expect(throws: TokenError.secretTooShort) { try TokenVerifier(secret: Array(repeating: 1, count: 31)) }
        #expect(throws: TokenError.secretTooShort) { try TokenSigner(secret: "short") }
        #expect(throws: Never.self) { try TokenVerifier(secret: Array(repeating: 1, count: 32)) }
    }

    // MARK: - Claims

    @Test(arguments: ["../x", "a/b", String(repeating: "a", count: 65), "", "a b", "a+b", "a#", "é"])
    func invalidSubject(sub: String) {
        #expect(error(signer.sign(TokenClaims(sub: sub, exp: Self.now + 60))) == .invalidSubject)
    }

    @Test func missingSubject() {
        #expect(error(forge(header: hs256, payload: #"{"exp":1800000000}"#)) == .missingSubject)
        #expect(error(forge(header: hs256, payload: #"{"sub":42,"exp":1800000000}"#)) == .missingSubject)
        #expect(error(forge(header: hs256, payload: #"{"sub":null,"exp":1800000000}"#)) == .missingSubject)
    }

    @Test(arguments: [
        #""name":"""#, #""name":42"#, "\"name\":\"\(String(repeating: "n", count: 101))\"", #""role":true"#,
        #""nbf":"x""#, #""iat":[]"#,
    ])
    func invalidClaims(member: String) {
        let token = forge(header: hs256, payload: #"{"sub":"a","exp":1800000000,"# + member + "}")
        #expect(error(token) == .invalidClaims)
    }

    @Test func nameLengthCountsUnicodeScalars() throws {
        // A family emoji is one grapheme cluster of 5 scalars: 20 of them are 100 characters.
        let name = String(repeating: "👨‍👩‍👧", count: 20)
        let token = signer.sign(TokenClaims(sub: "a", exp: Self.now + 60, name: name))
        #expect(try verifier.verify(token, now: Self.now).name == name)
        let longer = signer.sign(TokenClaims(sub: "a", exp: Self.now + 60, name: name + "a"))
        #expect(error(longer) == .invalidClaims)
        // One letter and 100 combining marks is one cluster but 101 scalars.
        let stacked = signer.sign(TokenClaims(sub: "a", exp: Self.now + 60, name: "a" + String(repeating: "\u{301}", count: 100)))
        #expect(error(stacked) == .invalidClaims)
    }

    @Test func errorCodesAreStable() {
        #expect(TokenError.badSignature.code == "bad_signature")
        #expect(TokenError.unsupportedAlgorithm.code == "unsupported_algorithm")
        #expect(TokenError.expired.description == "token has expired")
    }
}
