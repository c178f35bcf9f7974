// A test entry point, not a tool: replaces a results file as `bench merge` does (`ResultsFile.replace`), holding the
// replace between its write and its rename for a while, so a test can interrupt it in that window.
// Usage: ReplaceProbe <output> <input CSV> <seconds to pause before the rename>
import BenchKit
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4, let pause = Double(arguments[3]),
      let text = try? String(contentsOfFile: arguments[2], encoding: .utf8) else {
    FileHandle.standardError.write(Data("usage: ReplaceProbe <output> <input CSV> <seconds>\n".utf8))
    exit(64)
}
ResultsFile.beforeRename = { Thread.sleep(forTimeInterval: pause) }
do {
    try ResultsFile.replace(arguments[1], with: text)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
