print("rida")
