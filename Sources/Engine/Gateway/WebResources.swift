import Foundation

/// The browser client's files (`Sources/Engine/Resources/web`), read once at start-up and served from memory.
///
/// SwiftPM copies them into `chat-engine_Engine.resources/web` beside the built executable. An installed
/// binary finds them beside itself or in `../share/chat-engine/web`; without them the engine still runs
/// (and the WebSocket still works), and `GET /` says how to install the page.
struct WebResources: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    /// Files by name, e.g. `index.html`.
    let files: [String: File]
    /// Where they were read from, or nil when none were found.
    let directory: String?

    /// The page's icon, linked from `index.html`.
    static let iconName = "favicon.svg"
    /// Where browsers look for an icon without asking the page: answered with the same SVG.
    static let legacyIconName = "favicon.ico"

    /// The name of SwiftPM's resource bundle of the Engine target.
    static let bundleName = "chat-engine_Engine.resources"

    /// Folders searched, in order: beside the executable (SwiftPM's layout, also for tests), then `share`.
    static var searchPath: [URL] {
        let executableDirectory = Bundle.main.bundleURL
        return [
            executableDirectory.appendingPathComponent(bundleName).appendingPathComponent("web"),
            executableDirectory.deletingLastPathComponent().appendingPathComponent("share/chat-engine/web"),
        ]
    }

    /// Reads every file of the first folder of `searchPath` that has an `index.html`.
    static func bundled() -> WebResources {
        for directory in searchPath
        where FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.html").path) {
            var files: [String: File] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
                files[name] = File(bytes: Array(data), contentType: contentType(of: name))
            }
            return WebResources(files: files, directory: directory.path)
        }
        return WebResources(files: [:], directory: nil)
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: "application/octet-stream"
        }
    }
}
