// Debug and test builds keep the engine's preconditions (only release builds compile it -Ounchecked): a shape
// mismatch stops the process instead of reading past a buffer. Swift Testing runs each body in a child process.
import Testing
import Engine
import Models

@Suite struct PreconditionTests {
    @Test func linearWithTheWrongInputWidthTraps() async {
        await #expect(processExitsWith: .failure) {
            let layer = Linear("fc", 4, 3)
            _ = layer.forward(Tensor([2, 5]))  // last dim 5, the layer expects 4
        }
    }

    @Test func theSameLayerWithTheRightWidthRuns() {
        let (y, _) = Linear("fc", 4, 3).forward(Tensor([2, 4]))
        #expect(y.shape == [2, 3])
    }
}
