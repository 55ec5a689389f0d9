"""Reading model specs: files, Keras call expressions and layer notations."""
