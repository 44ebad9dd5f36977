"""Image/mask pairs with the augmentation switched off (data.py of a U-Net repo)."""
import numpy as np


def adjust_data(img, mask):
    img = img / 255.0
    mask = (mask > 0.5).astype("float32")
    return img, mask


def train_generator(batch_size, target_size=(32, 32)):
    while True:
        img = np.random.rand(batch_size, target_size[0], target_size[1], 1) * 255
        mask = np.random.rand(batch_size, target_size[0], target_size[1], 1)
        yield adjust_data(img, mask)


def test_generator(num_image, target_size=(32, 32)):
    for _ in range(num_image):
        img = np.random.rand(target_size[0], target_size[1], 1)
        yield np.reshape(img, (1,) + img.shape)


def save_result(results):
    return [float(r.mean()) for r in results]
