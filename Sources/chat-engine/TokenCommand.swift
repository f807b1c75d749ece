import ArgumentParser
import Foundation
import Wire

/// `chat-engine token`: mint a token for a user, signed with the same secret `serve` uses.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a signed token for a user.")

    @Option(help: "The user id ([A-Za-z0-9_.-], 1–64 characters).")
    var user: String
    @Option(help: "Display name (default: the user id).")
    var name: String?
    @Flag(help: "Make the user a global admin.")
    var admin = false
    @Option(help: "Seconds until the token expires.")
    var ttl: Int = 86400
    @OptionGroup var settings: Settings

    func run() throws {
        guard isValidUserID(user) else { throw ValidationError("'\(user)' is not a valid user id") }
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        let secret = try settings.resolver().secret(dev: settings.dev).bytes
        let now = Date().timeIntervalSince1970
        let claims = TokenClaims(
            sub: user, exp: (now + Double(ttl)).rounded(.down), iat: now.rounded(.down), name: name,
            role: admin ? "admin" : nil)
        print(try TokenSigner(secret: secret).sign(claims))
    }
}
