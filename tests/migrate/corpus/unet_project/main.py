from model import *
from data import *

myGene = train_generator(2)
model = unet()
model_checkpoint = ModelCheckpoint("unet_membrane.hdf5", monitor="loss", verbose=1,
                                   save_best_only=True)
model.fit_generator(myGene, steps_per_epoch=3, epochs=1, callbacks=[model_checkpoint])

testGene = test_generator(3)
results = model.predict_generator(testGene, 3, verbose=1)
print(save_result(results))
