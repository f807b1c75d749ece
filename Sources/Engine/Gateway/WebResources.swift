import Foundation

/// The browser client's files (`Sources/Engine/Resources/web`), read once at start-up and served from memory.
struct WebResources: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    /// Files by name, e.g. `index.html`.
    let files: [String: File]

    /// Reads every file of the bundled `web` folder.
    static func bundled() throws -> WebResources {
        guard let directory = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw ConfigurationError("the web client's files (Resources/web) are missing beside the executable")
        }
        var files: [String: File] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = File(bytes: Array(data), contentType: contentType(of: name))
        }
        return WebResources(files: files)
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
