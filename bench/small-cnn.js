'use strict';
// The small CNN of the core and DataLoader benchmarks (Conv2d 1->16, ReLU, MaxPool, Conv2d 16->32,
// ReLU, MaxPool, Linear 1568->10), for 28x28x1 inputs. Takes the torch library as an argument:
//   const model = require('./small-cnn')(torch);
module.exports = function smallCnn(torch) {
  const { nn } = torch;
  class SmallCNN extends nn.Module {
    conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
    conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
    pool = new nn.MaxPool2d(2);
    fc = new nn.Linear(32 * 7 * 7, 10);
    forward(x) {
      x = this.pool.forward(this.conv1.forward(x).relu());
      x = this.pool.forward(this.conv2.forward(x).relu());
      return this.fc.forward(x.flatten(1));
    }
  }
  return new SmallCNN();
};
