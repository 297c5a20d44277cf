import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Outputs stay inside DEST. A folder inside DEST that is a symbolic link (made by hand, or by a
/// sync tool) would carry an output, and a later run's replacement of it, somewhere else: each
/// folder between DEST and an output is made, or checked, as a real folder, never followed.
enum DestinationFolder {
    /// Makes the folders from `root` down to the parent of `relative` (an output's path inside
    /// DEST); throws when one of them is a link or not a folder. Lexical: nothing is resolved.
    static func make(for relative: String, root: String) throws(BatchError) {
        let components = relative.split(separator: "/").dropLast()
        guard !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw BatchError(.output, "\(relative) is not a path inside DEST", hint: "Outputs are written only inside DEST.")
        }
        let base = root
        var path = base
        for component in components {
            path += "/" + component
            var st = stat()
            if lstat(path, &st) == 0 {
                let type = st.st_mode & S_IFMT
                if type == S_IFLNK {
                    throw BatchError(.output, "\(path) is a symbolic link; prepare writes only inside DEST and does not follow links there",
                                     hint: "Remove the link (or replace it with a real folder) and run again.")
                }
                guard type == S_IFDIR else { throw BatchError(.output, "\(path) is in the way of an output folder", hint: "Move it away and run again.") }
                continue
            }
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                throw BatchError(.output, "cannot create \(path): \(String(cString: strerror(errno)))", hint: "Choose a folder you can write to.")
            }
        }
    }
}
